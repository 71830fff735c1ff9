import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Database } from './connect.js';
import { openDatabase } from './connect.js';
import { migrations as allMigrations, type Migration } from './migrations/index.js';
import { cachedSqliteDatabase } from './sqlite-driver.js';

export interface MigrationResult {
  version: number;
  name: string;
  direction: 'up' | 'down';
  status: 'applied' | 'reverted' | 'dry-run' | 'failed' | 'not-run';
  /** The statements a dry run would execute. */
  sql?: string[];
  error?: string;
}

export interface MigrationStatus {
  current: number;
  latest: number;
  applied: { version: number; name: string; appliedAt: string }[];
  pending: { version: number; name: string }[];
  /** Versions recorded in the database that this build does not know (a newer build ran here). */
  unknown: number[];
}

export interface MigrateOptions {
  dryRun?: boolean;
  /** Defaults to the full list; tests pass their own (e.g. a deliberately failing one). */
  migrations?: readonly Migration[];
}

class DryRunRollback extends Error {}

export class OutOfSyncMigrationsError extends Error {
  constructor(readonly unknown: number[]) {
    super(
      `the database has schema version(s) ${unknown.join(', ')} that this MediaOS build does not know; ` +
        'it was migrated by a newer version. Upgrade MediaOS, or restore the backup taken before that upgrade.',
    );
  }
}

/**
 * PostgreSQL with DATABASE_SCHEMA: the instance's schema, created on first use. Every pool
 * connection's search_path names only it, so the tables (schema_migrations included) live there.
 */
export async function ensureSchema(db: Database): Promise<void> {
  if (db.engine === 'postgres' && db.target.pgSchema) await sql`create schema if not exists ${sql.id(db.target.pgSchema)}`.execute(db.kysely);
}

async function ensureTable(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('schema_migrations')
    .ifNotExists()
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .execute();
}

export async function migrationStatus(db: Database, opts: MigrateOptions = {}): Promise<MigrationStatus> {
  const list = opts.migrations ?? allMigrations;
  const k = db.kysely as unknown as Kysely<any>;
  const exists = await tableExists(db, 'schema_migrations');
  const rows: { version: number; name: string; applied_at: string }[] = exists
    ? await k.selectFrom('schema_migrations').select(['version', 'name', 'applied_at']).orderBy('version').execute()
    : [];
  const known = new Set(list.map((m) => m.version));
  const appliedSet = new Set(rows.map((r) => Number(r.version)));
  return {
    current: rows.length ? Math.max(...rows.map((r) => Number(r.version))) : 0,
    latest: list.length ? list[list.length - 1].version : 0,
    applied: rows.map((r) => ({ version: Number(r.version), name: r.name, appliedAt: r.applied_at })),
    pending: list.filter((m) => !appliedSet.has(m.version)).map((m) => ({ version: m.version, name: m.name })),
    unknown: rows.map((r) => Number(r.version)).filter((v) => !known.has(v)),
  };
}

export async function tableExists(db: Database, table: string): Promise<boolean> {
  if (db.engine === 'sqlite') {
    const r = await sql<{ n: number }>`select count(*) as n from sqlite_master where type = 'table' and name = ${table}`.execute(db.kysely);
    return Number(r.rows[0].n) > 0;
  }
  const r = await sql<{
    n: number;
  }>`select count(*)::int as n from information_schema.tables where table_schema = current_schema() and table_name = ${table}`.execute(db.kysely);
  return Number(r.rows[0].n) > 0;
}

/**
 * Move the schema to `target` (a version number; 0 = empty). Each migration runs in its own
 * transaction together with its version record, so a failure leaves the database exactly as it
 * was before that migration; the run stops at the first failure. Returns results, never throws
 * for a failed migration (the caller prints them and picks the exit code).
 */
export async function migrateTo(db: Database, target: number, opts: MigrateOptions = {}): Promise<{ results: MigrationResult[]; error?: string }> {
  const list = opts.migrations ?? allMigrations;
  if (target < 0 || (target > 0 && !list.some((m) => m.version === target))) {
    return { results: [], error: `unknown migration version ${target}; known: 0 (empty), ${list.map((m) => m.version).join(', ')}` };
  }
  const status = await migrationStatus(db, opts);
  if (status.unknown.length) return { results: [], error: new OutOfSyncMigrationsError(status.unknown).message };

  const applied = new Set(status.applied.map((a) => a.version));
  const steps: { m: Migration; direction: 'up' | 'down' }[] = [
    ...list.filter((m) => m.version <= target && !applied.has(m.version)).map((m) => ({ m, direction: 'up' as const })),
    ...list
      .filter((m) => m.version > target && applied.has(m.version))
      .reverse()
      .map((m) => ({ m, direction: 'down' as const })),
  ];

  if (opts.dryRun) return dryRunSteps(db, steps);
  const results: MigrationResult[] = [];
  for (let i = 0; i < steps.length; i++) {
    const { m, direction } = steps[i];
    const result = await runStep(db, m, direction);
    results.push(result);
    if (result.status === 'failed') {
      for (const rest of steps.slice(i + 1)) {
        results.push({ version: rest.m.version, name: rest.m.name, direction: rest.direction, status: 'not-run' });
      }
      return { results, error: `migration ${m.name} (${direction}) failed: ${result.error}` };
    }
  }
  return { results };
}

export async function migrateToLatest(db: Database, opts: MigrateOptions = {}) {
  const list = opts.migrations ?? allMigrations;
  await ensureSchema(db);
  return migrateTo(db, list.length ? list[list.length - 1].version : 0, opts);
}

/** One step down from the current version. */
export async function migrateDown(db: Database, opts: MigrateOptions = {}) {
  const status = await migrationStatus(db, opts);
  if (status.current === 0) return { results: [] as MigrationResult[] };
  const list = opts.migrations ?? allMigrations;
  const below = list.filter((m) => m.version < status.current);
  return migrateTo(db, below.length ? below[below.length - 1].version : 0, opts);
}

async function applyStep(trx: Kysely<any>, db: Database, m: Migration, direction: 'up' | 'down'): Promise<void> {
  await ensureTable(trx);
  if (db.engine === 'postgres') {
    // Serialise concurrent migrators (two servers starting at once) for this transaction.
    await sql`select pg_advisory_xact_lock(727272)`.execute(trx);
  } else {
    // Take SQLite's write lock now, so a concurrent migrator waits (busy_timeout) instead of
    // both reading the same version and one failing half-way.
    await sql`update schema_migrations set version = version where 0 = 1`.execute(trx);
  }
  const done = await trx.selectFrom('schema_migrations').select('version').where('version', '=', m.version).executeTakeFirst();
  if (direction === 'up' && done) return; // another process applied it while we waited
  if (direction === 'down' && !done) return;
  const fkCheck = db.engine === 'sqlite' && m.disableForeignKeys;
  const violationsBefore = fkCheck ? await foreignKeyViolations(trx) : undefined;
  if (direction === 'up') {
    await m.up(trx, db.engine);
    await trx.insertInto('schema_migrations').values({ version: m.version, name: m.name, applied_at: new Date().toISOString() }).execute();
  } else {
    await m.down(trx, db.engine);
    await trx.deleteFrom('schema_migrations').where('version', '=', m.version).execute();
  }
  if (violationsBefore) {
    // Only what this migration broke: a database may already hold violations (rows written while
    // foreign keys were off elsewhere); they are not this migration's to judge.
    const broken = [...(await foreignKeyViolations(trx))].filter((v) => !violationsBefore.has(v));
    if (broken.length > 0) throw new Error(`foreign key check failed: ${broken.length} row(s) lost their parent, first: ${broken[0]}`);
  }
}

/** SQLite foreign key violations as `table rowid <rowid> -> parent` strings. */
async function foreignKeyViolations(trx: Kysely<any>): Promise<Set<string>> {
  const rows = (await sql<{ table: string; rowid: number | null; parent: string }>`PRAGMA foreign_key_check`.execute(trx)).rows;
  return new Set(rows.map((r) => `${r.table} rowid ${r.rowid} -> ${r.parent}`));
}

/**
 * SQLite: foreign keys off while `fn` runs when one of `steps` rebuilds a table (the pragma cannot
 * change inside a transaction, so it is set around it), and on again afterwards.
 */
async function withForeignKeysFor<T>(db: Database, steps: Migration[], fn: () => Promise<T>): Promise<T> {
  const raw = db.engine === 'sqlite' && steps.some((m) => m.disableForeignKeys) ? db.sqlite : undefined;
  if (!raw) return fn();
  raw.pragma('foreign_keys = OFF');
  try {
    return await fn();
  } finally {
    raw.pragma('foreign_keys = ON');
  }
}

async function runStep(db: Database, m: Migration, direction: 'up' | 'down'): Promise<MigrationResult> {
  const base = { version: m.version, name: m.name, direction };
  try {
    await withForeignKeysFor(db, [m], () => (db.kysely as unknown as Kysely<any>).transaction().execute((trx) => applyStep(trx, db, m, direction)));
    return { ...base, status: direction === 'up' ? 'applied' : 'reverted' };
  } catch (err) {
    return { ...base, status: 'failed', error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Runs all the steps for real inside one transaction that is always rolled back (later steps
 * need the earlier ones' tables), recording each step's SQL.
 */
async function dryRunSteps(db: Database, steps: { m: Migration; direction: 'up' | 'down' }[]): Promise<{ results: MigrationResult[]; error?: string }> {
  let captured: string[] = [];
  const log = (e: { level: string; query: { sql: string } }) => {
    if (e.level === 'query' || e.level === 'error') captured.push(e.query.sql);
  };
  let capturing: Kysely<any>;
  let release: () => Promise<void>;
  if (db.engine === 'sqlite' && db.sqlite) {
    // A second Kysely over the same handle, with logging; never destroyed (that would close the handle).
    capturing = new Kysely<any>({ dialect: new SqliteDialect({ database: cachedSqliteDatabase(db.sqlite) }), log });
    release = async () => {};
  } else {
    const other = openDatabase(db.target, { log });
    capturing = other.kysely as unknown as Kysely<any>;
    release = () => other.close();
  }
  const results: MigrationResult[] = [];
  let error: string | undefined;
  try {
    await withForeignKeysFor(
      db,
      steps.map((s) => s.m),
      () =>
        capturing.transaction().execute(async (trx) => {
          for (const { m, direction } of steps) {
            const base = { version: m.version, name: m.name, direction };
            captured = [];
            if (error) {
              results.push({ ...base, status: 'not-run' });
              continue;
            }
            try {
              await applyStep(trx, db, m, direction);
              results.push({ ...base, status: 'dry-run', sql: captured.filter((q) => !/schema_migrations|pg_advisory_xact_lock/.test(q)) });
            } catch (err) {
              const message = err instanceof Error ? err.message : String(err);
              results.push({ ...base, status: 'failed', error: message, sql: captured });
              error = `migration ${m.name} (${direction}) failed: ${message}`;
              if (db.engine === 'postgres') break; // the transaction is aborted; nothing more can run in it
            }
          }
          throw new DryRunRollback();
        }),
    );
  } catch (err) {
    if (!(err instanceof DryRunRollback)) error ??= err instanceof Error ? err.message : String(err);
  } finally {
    await release();
  }
  return { results, error };
}
