/** The SQLite settings an import runs with, so its memory stays bounded on a small NAS. */
import type { Database } from '../db/connect.js';

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
