/**
 * The import's side of the free-space check (db/free-space.ts): the backup writes about the SQLite
 * file (when the database holds data) plus the legacy directory (the archive's upper bound: gzip
 * only shrinks it); the import grows the SQLite file by about IMPORT_FACTOR x the legacy directory
 * (rows, indexes and the write-ahead log until the checkpoint).
 */
export { checkFreeSpace, directoryBytes, type FreeSpaceProbe, formatBytes, NotEnoughSpaceError, type SpaceNeed, statfsProbe } from '../db/free-space.js';

/** The import's growth of the SQLite file per byte of legacy JSON. */
export const IMPORT_FACTOR = 2;
