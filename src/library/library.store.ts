import { phasedStore } from '../storage/phased-store.js';
import type { StoreContext } from '../storage/store-context.js';
import { createLibraryJson } from './library.json.js';
import { createLibrarySql } from './library.sql.js';
import type { LibraryCreateResult, LibraryItem, LibraryPage, LibraryPatch, LibraryPatchResult, LibraryQuery } from './library.types.js';

/**
 * What services see of the library, whatever the storage phase. Write methods are deterministic
 * given their arguments (the service makes ids and timestamps) so the dual phases write the same
 * record to the database and to library.json.
 */
export interface LibraryStore {
  getById(id: string): Promise<LibraryItem | undefined>;
  /** First item, in insertion order, whose id or exact title is `key`. */
  findByIdOrTitle(key: string): Promise<LibraryItem | undefined>;
  /** First item, in insertion order, whose title is exactly `title`. */
  findByTitle(title: string): Promise<LibraryItem | undefined>;
  count(): Promise<number>;
  /** The next `limit` items after insertion sequence `afterSeq` (start below the first seq: -1). Read-only. */
  batchAfter(afterSeq: number, limit: number): Promise<{ items: LibraryItem[]; lastSeq: number }>;
  query(q: LibraryQuery): Promise<LibraryPage>;
  create(item: LibraryItem, at: string): Promise<LibraryCreateResult>;
  patch(id: string, patch: LibraryPatch, at: string): Promise<LibraryPatchResult>;
  remove(id: string): Promise<LibraryItem | undefined>;
}

export const LIBRARY_WRITES = ['create', 'patch', 'remove'] as const;

export function createLibraryStore(ctx: StoreContext): LibraryStore {
  const sql: LibraryStore = createLibrarySql(ctx.db.kysely, ctx.db.engine, { log: ctx.log });
  const json: LibraryStore = createLibraryJson({ configDir: ctx.configDir });
  return phasedStore<LibraryStore>({
    name: 'library',
    phase: ctx.phase,
    sql,
    json,
    writes: LIBRARY_WRITES,
    fileSync: ctx.fileSync,
    log: ctx.log,
  });
}
