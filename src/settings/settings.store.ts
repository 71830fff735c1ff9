import { phasedStore } from '../storage/phased-store.js';
import type { StoreContext } from '../storage/store-context.js';
import { createSettingsJson } from './settings.json.js';
import { createSettingsSql } from './settings.sql.js';
import type { SettingsDocument } from './settings.types.js';

/**
 * Whole legacy settings documents by key (`settings`, `verify`, `metadata`, `organizer`,
 * `subtitle-automation`, `monitor`, and any other domain's document). `get` answers undefined
 * when the document does not exist (services then apply the legacy defaults). Values are
 * plaintext in memory; each side encrypts its secret fields its own way.
 */
export interface SettingsDocumentStore {
  get<T = SettingsDocument>(key: string): Promise<T | undefined>;
  /** Replaces the whole document (creating it). */
  put(key: string, value: unknown): Promise<void>;
  remove(key: string): Promise<void>;
}

export function createSettingsDocumentStore(ctx: StoreContext): SettingsDocumentStore {
  return phasedStore<SettingsDocumentStore>({
    name: 'settings',
    phase: ctx.phase,
    sql: createSettingsSql(ctx.db.kysely, ctx.secretBox),
    json: createSettingsJson({ configDir: ctx.configDir, legacyEncryptionKey: ctx.legacyEncryptionKey }),
    writes: ['put', 'remove'],
    fileSync: ctx.fileSync,
    log: ctx.log,
  });
}
