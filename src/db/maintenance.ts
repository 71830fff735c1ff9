/**
 * The database's own upkeep, per engine: SQLite's `PRAGMA optimize`, the write-ahead-log
 * checkpoint, and the integrity check (SQLite `PRAGMA integrity_check`; PostgreSQL `amcheck`'s
 * bt_index_check on this schema's B-tree indexes where the extension can be had, else a count of
 * every table, which at least reads every heap page). The last check's result is kept in app_state.
 */
import { sql } from 'kysely';
import { createAppStateSql } from './app-state.sql.js';
import type { Database } from './connect.js';
import { integrityCheckInWorker } from './integrity-worker.js';

export const INTEGRITY_STATE_KEY = 'integrity_check';
/** Problems kept in the stored result (SQLite can list thousands for one broken index). */
const MAX_DETAIL = 20;

export type IntegrityMethod = 'integrity_check' | 'amcheck' | 'count';

export interface IntegrityResult {
  ok: boolean;
  checkedAt: string;
  engine: Database['engine'];
  method: IntegrityMethod;
  /** What the check found wrong (empty when ok); at most 20 lines. */
  detail: string[];
  /** Indexes (amcheck) or tables (count) looked at; absent for integrity_check. */
  checked?: number;
  durationMs: number;
}

export interface CheckpointResult {
  /** False when a reader kept the log from being reset (it is retried at the next checkpoint). */
  complete: boolean;
  walPages: number;
  checkpointedPages: number;
}

/** `PRAGMA optimize` (SQLite: refreshes the planner's statistics where they are stale); PostgreSQL's autovacuum does this itself. */
export async function optimizeDatabase(db: Database): Promise<boolean> {
  if (!db.sqlite) return false;
  db.sqlite.pragma('optimize');
  return true;
}

/** Copies the write-ahead log into the database file and truncates it (SQLite only; undefined on PostgreSQL). */
export function checkpointWal(db: Database): CheckpointResult | undefined {
  if (!db.sqlite || db.target.location === ':memory:') return undefined;
  const [row] = db.sqlite.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
  return { complete: row.busy === 0, walPages: Math.max(0, row.log), checkpointedPages: Math.max(0, row.checkpointed) };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The check on the server's own connection: it holds the event loop while it reads (an in-memory database has no other way). */
function sqliteIntegrityHere(db: Database): Pick<IntegrityResult, 'ok' | 'method' | 'detail'> {
  // A corrupt page can also make the check itself fail ("database disk image is malformed").
  try {
    const rows = db.sqlite!.pragma(`integrity_check(${MAX_DETAIL})`) as { integrity_check: string }[];
    return linesResult(rows.map((r) => r.integrity_check));
  } catch (err) {
    return { ok: false, method: 'integrity_check', detail: [messageOf(err)] };
  }
}

function linesResult(lines: string[]): Pick<IntegrityResult, 'ok' | 'method' | 'detail'> {
  const detail = lines.filter((m) => m !== 'ok');
  return { ok: detail.length === 0, method: 'integrity_check', detail };
}

/**
 * The SQLite check of a file runs in a worker thread on its own read-only connection
 * (integrity-worker.ts), so requests are answered while it reads every page. Only an in-memory
 * database, or a file the worker cannot open, is checked on the server's connection.
 */
async function sqliteIntegrity(db: Database): Promise<Pick<IntegrityResult, 'ok' | 'method' | 'detail'>> {
  if (db.target.location === ':memory:' || db.target.location === '') return sqliteIntegrityHere(db);
  // A thread that cannot start (resource limits) still leaves a check to run: here, as before.
  const found = await integrityCheckInWorker(db.target.location, MAX_DETAIL).catch(() => undefined);
  if (found === undefined) return sqliteIntegrityHere(db);
  if ('checkError' in found) return { ok: false, method: 'integrity_check', detail: [found.checkError] };
  return linesResult(found.lines);
}

/** The schema amcheck lives in, installing it when allowed (needs CREATE on the database); undefined when not available. */
async function amcheckSchema(db: Database): Promise<string | undefined> {
  const find = async () =>
    (
      await sql<{
        schema: string;
      }>`select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'amcheck'`.execute(db.kysely)
    ).rows[0]?.schema;
  const found = await find();
  if (found) return found;
  try {
    await sql`create extension if not exists amcheck with schema public`.execute(db.kysely);
  } catch {
    // Not installed on the server or not allowed (the count check runs instead), or another
    // process created it at the same moment (then it is there now).
  }
  return find();
}

async function postgresIntegrity(db: Database, opts: { amcheck?: boolean }): Promise<Pick<IntegrityResult, 'ok' | 'method' | 'detail' | 'checked'>> {
  const detail: string[] = [];
  const schema = opts.amcheck === false ? undefined : await amcheckSchema(db);
  if (schema) {
    const indexes = await sql<{ name: string }>`
      select c.relname as name from pg_index i
      join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace join pg_am a on a.oid = c.relam
      where n.nspname = current_schema() and a.amname = 'btree' order by c.relname`.execute(db.kysely);
    for (const { name } of indexes.rows) {
      try {
        await sql`select ${sql.id(schema, 'bt_index_check')}(${sql.lit(name)}::regclass)`.execute(db.kysely);
      } catch (err) {
        if (detail.length < MAX_DETAIL) detail.push(`index ${name}: ${messageOf(err)}`);
      }
    }
    return { ok: detail.length === 0, method: 'amcheck', detail, checked: indexes.rows.length };
  }
  const tables = await sql<{ name: string }>`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind = 'r' order by c.relname`.execute(db.kysely);
  for (const { name } of tables.rows) {
    try {
      await sql`select count(*) from ${sql.table(name)}`.execute(db.kysely);
    } catch (err) {
      if (detail.length < MAX_DETAIL) detail.push(`table ${name}: ${messageOf(err)}`);
    }
  }
  return { ok: detail.length === 0, method: 'count', detail, checked: tables.rows.length };
}

/**
 * Runs the engine's integrity check and stores the result (app_state `integrity_check`) for
 * /api/health and /metrics. `amcheck: false` skips amcheck on PostgreSQL (the count check).
 * The SQLite check reads every page (seconds per GB, which is why it is weekly by default) in a
 * worker thread, not on the event loop.
 */
export async function runIntegrityCheck(db: Database, opts: { now?: () => Date; amcheck?: boolean } = {}): Promise<IntegrityResult> {
  const now = opts.now ?? (() => new Date());
  const started = performance.now();
  const found = db.engine === 'sqlite' ? await sqliteIntegrity(db) : await postgresIntegrity(db, opts);
  const result: IntegrityResult = {
    ...found,
    detail: found.detail.slice(0, MAX_DETAIL),
    checkedAt: now().toISOString(),
    engine: db.engine,
    durationMs: Math.round(performance.now() - started),
  };
  try {
    await createAppStateSql(db.kysely).set(INTEGRITY_STATE_KEY, result);
  } catch (err) {
    // A database too broken to take the record still reports the check's result to the caller.
    result.detail = [...result.detail, `the result could not be stored: ${messageOf(err)}`].slice(0, MAX_DETAIL + 1);
  }
  return result;
}

/** The last stored integrity check, if one ran. */
export function lastIntegrityCheck(db: Database): Promise<IntegrityResult | undefined> {
  return createAppStateSql(db.kysely).get<IntegrityResult>(INTEGRITY_STATE_KEY);
}
