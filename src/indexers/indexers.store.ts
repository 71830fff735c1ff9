import { phasedStore } from '../storage/phased-store.js';
import type { StoreContext } from '../storage/store-context.js';
import { createIndexersJson } from './indexers.json.js';
import { createIndexersSql } from './indexers.sql.js';
import type { IndexerConfig, IndexerPatch, IndexerSources, IndexersDocument, SyncSource } from './indexers.types.js';

/**
 * `indexers.json`: the Prowlarr/Jackett source settings and the indexer list. Records carry
 * apiKeys in PLAINTEXT in memory; sql seals them with the secret box (`enc:v1:`), json writes the
 * legacy ciphertext. Writes are deterministic (ids are made by the service).
 */
export interface IndexersStore {
  get(): Promise<IndexersDocument>;
  getSources(): Promise<IndexerSources>;
  listIndexers(): Promise<IndexerConfig[]>;
  /** Replaces every top-level key except `indexers`. */
  saveSources(sources: IndexerSources): Promise<void>;
  /** Appends one entry. */
  addIndexer(indexer: IndexerConfig): Promise<void>;
  /** `{...existing, ...patch}`; undefined when there is no such id. */
  patchIndexer(id: string, patch: IndexerPatch): Promise<IndexerConfig | undefined>;
  /** The removed entry; undefined when there is no such id. */
  removeIndexer(id: string): Promise<IndexerConfig | undefined>;
  /** The legacy sync replacement (FORMATS.md §3.4), `entries` appended in order. */
  syncIndexers(source: SyncSource, entries: IndexerConfig[]): Promise<void>;
  /** Replaces the whole document (importer, tests). */
  replaceDocument(doc: IndexersDocument): Promise<void>;
}

const WRITES = ['saveSources', 'addIndexer', 'patchIndexer', 'removeIndexer', 'syncIndexers', 'replaceDocument'] as const;

export function createIndexersStore(ctx: StoreContext): IndexersStore {
  return phasedStore<IndexersStore>({
    name: 'indexers',
    phase: ctx.phase,
    sql: createIndexersSql(ctx.db.kysely, ctx.secretBox),
    json: createIndexersJson({ configDir: ctx.configDir, legacyKey: ctx.legacyEncryptionKey, log: ctx.log }),
    writes: WRITES,
    fileSync: ctx.fileSync,
    log: ctx.log,
  });
}
