import { phasedStore } from '../storage/phased-store.js';
import type { StoreContext } from '../storage/store-context.js';
import { createDownloadersJson } from './downloaders.json.js';
import { createDownloadersSql } from './downloaders.sql.js';
import type { DownloadersSettings } from './downloaders.types.js';

/**
 * The download-client settings document. Sections carry their secrets in PLAINTEXT in memory:
 * sql seals them with the secret box (`enc:v1:`), json writes the legacy ciphertext format.
 */
export interface DownloadersStore {
  get(): Promise<DownloadersSettings>;
  /** Replaces the whole document (absent sections are removed). Deterministic: no ids, no times. */
  save(settings: DownloadersSettings): Promise<void>;
}

export function createDownloadersStore(ctx: StoreContext): DownloadersStore {
  const sql = createDownloadersSql(ctx.db.kysely, ctx.secretBox);
  const json = createDownloadersJson({ configDir: ctx.configDir, legacyKey: ctx.legacyEncryptionKey, log: ctx.log });
  return phasedStore<DownloadersStore>({
    name: 'downloaders',
    phase: ctx.phase,
    sql: { get: sql.get, save: sql.save },
    json: { get: json.get, save: json.save },
    writes: ['save'],
    fileSync: ctx.fileSync,
    log: ctx.log,
  });
}
