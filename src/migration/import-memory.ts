/** The SQLite and V8 settings an import runs with, so its memory stays bounded on a small NAS. */
import { setFlagsFromString } from 'node:v8';
import type { Database } from '../db/connect.js';

/**
 * Makes V8 favour a small heap over speed (`on`) or not: the old generation grows by a smaller
 * factor over what survived the last full collection (and the young generation stays small), so
 * the garbage a streaming parse on the main thread leaves behind (every record's text and value,
 * the read chunks) is collected long before it adds up. The heap sizes themselves cannot change once
 * the process runs (--max-semi-space-size and --max-old-space-size are read at start-up only); this
 * flag is consulted at every collection, by every thread of the process (worker threads too).
 * For the CLI import only (the process ends with it), never for the server. Measured on the 100 MB
 * grabs.json of test/migration/import.memory.test.ts (bench/RESULTS.md, issue 18 round three): peak
 * RSS 236-313 MB without it, 155-172 MB with it. The import switches it off while library.json is
 * checked and parsed (withoutSmallHeap): those workers bound their own heaps (resourceLimits), and
 * the setting doubled their CPU time (300k items parsed: 12.4 s with it, 6.5 s without).
 */
export function favorSmallHeap(on = true): void {
  setFlagsFromString(on ? '--optimize-for-size' : '--no-optimize-for-size');
  // --optimize-for-size also sets --max-semi-space-size=1 (a V8 flag implication) and switching it
  // off leaves that in place: every heap made afterwards (the parsing workers') would get a young
  // generation of ~2 MB whatever its resourceLimits say. 0 puts V8's default back, so the workers'
  // own limits count again (1M items: 7,165 scavenges and 5.7 s of the parsing worker's 17.4 s).
  if (!on) setFlagsFromString('--max-semi-space-size=0');
}

/**
 * Runs `fn` with the small-heap setting off when `switchHeap` is given (the CLI's favorSmallHeap),
 * then switches it on again.
 */
export async function withoutSmallHeap<T>(switchHeap: ((on: boolean) => void) | undefined, fn: () => Promise<T>): Promise<T> {
  switchHeap?.(false);
  try {
    return await fn();
  } finally {
    switchHeap?.(true);
  }
}

/** Page cache of the import's connection, in KiB (the bulk load writes pages in order: a big cache buys nothing). */
const IMPORT_CACHE_KIB = 8192;

/**
 * SQLite keeps the import's memory bounded: sorts and temporary b-trees spill to temp files
 * instead of RAM, the database is not memory-mapped (mapped pages of a 1 GB file count as
 * resident memory on a 2 GB NAS), and the page cache is 8 MiB (at 1M items the default 32 MiB
 * cost 25 MB of peak RSS and saved no time). Restored when the import ends.
 */
export function boundSqliteMemory(db: Database): () => void {
  const raw = db.sqlite;
  if (!raw) return () => {};
  const saved = {
    temp: raw.pragma('temp_store', { simple: true }),
    mmap: raw.pragma('mmap_size', { simple: true }),
    cache: raw.pragma('cache_size', { simple: true }),
  };
  raw.pragma('temp_store = FILE');
  raw.pragma('mmap_size = 0');
  if (Number(saved.cache) < 0 && -Number(saved.cache) > IMPORT_CACHE_KIB) raw.pragma(`cache_size = -${IMPORT_CACHE_KIB}`);
  return () => {
    raw.pragma(`temp_store = ${Number(saved.temp)}`);
    raw.pragma(`mmap_size = ${Number(saved.mmap)}`);
    raw.pragma(`cache_size = ${Number(saved.cache)}`);
  };
}

/**
 * Puts the database in rollback-journal mode for the import's transaction when no other connection
 * has it open, and back in WAL mode after; returns the function that switches back (a no-op when
 * nothing was switched). Why: in WAL mode every page the import writes goes to the -wal file first
 * and is copied into the database a second time at the commit's checkpoint (1M items: a 4.5 s
 * commit); with a rollback journal, pages past the end of the file as it was (all of a first
 * import's) are written once and only the few pages that existed are journaled. Just as safe: a
 * crash or kill leaves a hot journal that the next connection to open the database rolls back.
 * The catch is that readers must wait for the commit, so it is only done when nobody reads: leaving
 * WAL mode needs the database to itself, and with the busy timeout at 0 for the attempt a running
 * server (or any other open connection) makes it fail at once and the import stays in WAL mode.
 */
export function rollbackJournalWhileAlone(db: Database): () => void {
  const raw = db.sqlite;
  if (!raw || db.target.location === ':memory:' || db.target.location === '') return () => {};
  if (String(raw.pragma('journal_mode', { simple: true })) !== 'wal') return () => {};
  const timeout = Number(raw.pragma('busy_timeout', { simple: true }));
  raw.pragma('busy_timeout = 0');
  let switched = false;
  try {
    switched = String(raw.pragma('journal_mode = DELETE', { simple: true })) === 'delete';
  } catch (err) {
    if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
  } finally {
    raw.pragma(`busy_timeout = ${timeout}`);
  }
  if (!switched) return () => {};
  return () => {
    try {
      raw.pragma('journal_mode = WAL');
    } catch {
      // A reader that opened meanwhile holds the file: every connection of ours sets WAL when it opens (db/connect.ts).
    }
  };
}
