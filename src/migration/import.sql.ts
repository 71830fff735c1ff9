/**
 * All SQL of the import, export and verify-import (identical for SQLite and PostgreSQL), by concern:
 * import-rows.sql.ts (the per-domain row writers), library-bulk.sql.ts (the library bulk load and
 * reads), library-stage.sql.ts (the staging table and merge), import-log.sql.ts (quarantine and
 * runs), digest.sql.ts (the database's side of the read-back digests), over the shared batched
 * writes of import-batch.sql.ts. Works on a Transaction too.
 */
import type { Kysely } from 'kysely';
import type { Engine } from '../db/dialect.js';
import type { CopyIn } from '../db/pg-copy.js';
import type { DB } from '../db/schema.js';
import { createDigestSql } from './digest.sql.js';
import { type AnyDb, createBatchWriter } from './import-batch.sql.js';
import { createImportLogSql } from './import-log.sql.js';
import { createImportRowsSql } from './import-rows.sql.js';
import { createLibraryBulkSql } from './library-bulk.sql.js';
import { createLibraryStageSql } from './library-stage.sql.js';

export { BATCH_ROWS, LIBRARY_DATA_COLUMNS } from './import-batch.sql.js';
export { ARRIVAL_ORDER_INDEXES, LIBRARY_DATA_PG_TYPES } from './library-bulk.sql.js';
export { STAGE_TABLE } from './library-stage.sql.js';

/** `copyIn` (PostgreSQL, on a transaction): the library bulk load and large batches use COPY instead of INSERTs. */
export function createImportSql(kysely: Kysely<DB>, engine: Engine, copyIn?: CopyIn) {
  const db = kysely as unknown as AnyDb;
  const batch = createBatchWriter(db, engine, copyIn);
  return {
    engine,
    ...createImportRowsSql(db, batch),
    ...createLibraryStageSql(db, engine, batch),
    ...createLibraryBulkSql(db, engine, batch, copyIn),
    ...createImportLogSql(db, batch),
    ...createDigestSql(db),
  };
}

export type ImportSql = ReturnType<typeof createImportSql>;
