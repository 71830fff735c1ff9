import { existsSync } from 'node:fs';
import { sql } from 'kysely';
import type { Database, DatabaseTarget } from '../connect.js';
import { migrateToLatest, migrationStatus } from '../migrator.js';
import { nonEmptyTables } from './table-rows.js';

/**
 * The checks `db copy`, `dump` and `restore` share before they move any row. A refusal is a
 * `TransferRefused`: the command prints its message and exits 1 without touching data.
 */
export class TransferRefused extends Error {}

/** Progress of a whole-database transfer, reported after every batch. */
export interface TransferProgress {
  table: string;
  /** Rows of `table` done so far. */
  tableDone: number;
  /** Rows of `table` in total, when known. */
  tableTotal?: number;
  /** Rows of all tables done so far. */
  done: number;
  /** Rows of all tables in total, when known. */
  total?: number;
}

export type ProgressListener = (p: TransferProgress) => void;

/** A SQLite source must exist: opening a missing file would silently create an empty database. */
export function assertSourceExists(target: DatabaseTarget): void {
  if (target.engine === 'sqlite' && !existsSync(target.location)) {
    throw new TransferRefused(`the source database ${target.location} does not exist`);
  }
}

/** Copies and dumps read only a source at exactly this build's schema version. */
export async function assertSourceAtLatest(db: Database): Promise<number> {
  const s = await migrationStatus(db);
  if (s.unknown.length) {
    throw new TransferRefused(`the source database has schema version(s) ${s.unknown.join(', ')} that this MediaOS build does not know: upgrade MediaOS first`);
  }
  if (s.current !== s.latest) {
    throw new TransferRefused(
      `the source database is at schema version ${s.current} but this MediaOS build is at ${s.latest}: run \`mediaos migrate\` against the source first`,
    );
  }
  return s.current;
}

/**
 * Brings the target to the latest schema (creating its PostgreSQL schema if it names one that
 * does not exist yet) and refuses it if any data table has rows, unless `replace` (the caller then
 * clears it inside its own transaction). `beforeReplace` runs only when rows will be replaced (the
 * CLI takes a backup there).
 */
export async function prepareTarget(
  db: Database,
  opts: { replace?: boolean; beforeReplace?: (db: Database) => Promise<void> },
): Promise<{ replacing: string[] }> {
  if (db.engine === 'postgres' && db.target.pgSchema) {
    await sql`create schema if not exists ${sql.id(db.target.pgSchema)}`.execute(db.kysely);
  }
  const { error } = await migrateToLatest(db);
  if (error) throw new TransferRefused(`could not migrate the target: ${error}`);
  const filled = await nonEmptyTables(db.kysely);
  if (filled.length && !opts.replace) {
    throw new TransferRefused(`the target database is not empty (rows in ${filled.join(', ')}): pass --replace to replace its contents`);
  }
  if (filled.length && opts.beforeReplace) await opts.beforeReplace(db);
  return { replacing: filled };
}
