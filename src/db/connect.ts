import BetterSqlite3 from 'better-sqlite3';
import { Kysely, type LogEvent, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { runStatementsWith } from './compiled.js';
import type { Engine } from './dialect.js';
import { createPrivateFile, makePrivate } from './file-mode.js';
import { assertLocalFilesystem } from './local-filesystem.js';
import { type CopyIn, createCopyIn } from './pg-copy.js';
import { usePreparedStatements } from './pg-prepared.js';
import { createReadRouting, type ReplicaStatus } from './read-replicas.js';
import type { DB } from './schema.js';
import { SqliteStatementDialect, SqliteStatementDriver } from './sqlite-dialect.js';
import { cachedSqliteDatabase } from './sqlite-driver.js';
import { ensureSqliteDirectory, sqliteOpenError } from './sqlite-open.js';
import { observeConnection, runOnPool, statementEvents } from './statement-events.js';
import { createWriteTracker, type WriteStatus } from './write-status.js';

// int8 (counts, file sizes) as JS numbers: every value we store fits in 2^53.
pg.types.setTypeParser(20, (v) => Number(v));
// json/jsonb as text, exactly like SQLite, so one `fromJson` serves both engines (and a jsonb
// string value such as "stored" is not mistaken for an already-parsed value).
pg.types.setTypeParser(114, (v) => v);
pg.types.setTypeParser(3802, (v) => v);

export interface DatabaseTarget {
  engine: Engine;
  /** SQLite file path (':memory:' allowed) or PostgreSQL connection string. */
  location: string;
  sqliteCacheMb?: number;
  /**
   * Memory-mapped I/O (default 0: off). Mapped pages count in the process's RSS (a 1M-item
   * library: +250 MB after one count), while reads through the page cache stay bounded by
   * cache_size and the kernel's file cache; measured equally fast for the API's queries.
   */
  sqliteMmapMb?: number;
  pgPoolMax?: number;
  /** PostgreSQL: run compileOnce's statements as named prepared statements (default true; pg-prepared.ts). */
  pgPrepared?: boolean;
  /**
   * PostgreSQL: `synchronous_commit` of every pool connection (undefined: the server's setting).
   * `off`: a commit returns before its WAL reaches the disk (the walwriter flushes it within
   * 3 x wal_writer_delay): a crash of the database server or the machine may lose the last
   * fraction of a second of writes, never corrupts; the same promise as SQLite's synchronous=NORMAL.
   */
  pgSynchronousCommit?: PgSynchronousCommit;
  /** PostgreSQL schema to use (search_path); tests give each run its own. */
  pgSchema?: string;
  /** SQLite: create the file's directory when missing (the data directory only; see sqlite-open.ts). */
  createDirectory?: boolean;
  /** PostgreSQL read replicas (read-replicas.ts): HTTP requests' plain reads go there. */
  readUrls?: string[];
  /** A replica further behind than this is not read from; a writer reads the primary this long. */
  replicaMaxLagMs?: number;
  /** SQLite: open the file for writing even on a network file system (MEDIAOS_ALLOW_NETWORK_FS; see local-filesystem.ts). */
  allowNetworkFs?: boolean;
  /** SQLite: the mount table read by that check (default /proc/self/mountinfo; tests pass their own). */
  mountInfoPath?: string;
}

/** The values of PostgreSQL's `synchronous_commit` (config.ts checks MEDIAOS_PG_SYNCHRONOUS_COMMIT against them). */
export type PgSynchronousCommit = 'on' | 'off' | 'local' | 'remote_write' | 'remote_apply';

export interface PoolStats {
  size: number;
  idle: number;
  waiting: number;
  max: number;
  acquired: number;
  waitMsTotal: number;
  waitMsMax: number;
}

export interface Database {
  kysely: Kysely<DB>;
  engine: Engine;
  target: DatabaseTarget;
  /** The raw better-sqlite3 handle (SQLite only): online backup, pragmas. */
  sqlite?: BetterSqlite3.Database;
  poolStats(): PoolStats | undefined;
  /** Recent outcome of writes (count and last failure, last success), for health. */
  writeStatus(): WriteStatus;
  serverVersion(): Promise<string>;
  journalMode(): Promise<string>;
  /** The read replicas and whether each is used now (none configured: undefined). */
  replicas?(): ReplicaStatus[];
  /** Checks the replicas' lag now (start-up waits for it before serving). */
  checkReplicas?(): Promise<void>;
  /** PostgreSQL: `COPY table FROM STDIN` of rows on a transaction's own connection (pg-copy.ts); returns the rows copied. */
  copyIn?: CopyIn;
  /** Calls `listener` after every statement (Kysely's log event: sql, duration, error); returns the unsubscribe. */
  observeQueries(listener: (event: LogEvent) => void): () => void;
  close(): Promise<void>;
}

export interface OpenOptions {
  log?: (event: LogEvent) => void;
  readonly?: boolean;
}

export function openDatabase(target: DatabaseTarget, opts: OpenOptions = {}): Database {
  return target.engine === 'sqlite' ? openSqlite(target, opts) : openPostgres(target, opts);
}

function openSqlite(target: DatabaseTarget, opts: OpenOptions): Database {
  const onDisk = target.location !== ':memory:' && target.location !== '';
  if (onDisk) ensureSqliteDirectory(target.location, target.createDirectory ?? false);
  if (onDisk && !opts.readonly) {
    if (!target.allowNetworkFs) assertLocalFilesystem(target.location, target.mountInfoPath);
    // The database holds password hashes and sessions: 0600 from its first byte. SQLite gives
    // the -wal and -shm it creates the database file's mode; existing ones are fixed here too.
    try {
      createPrivateFile(target.location);
    } catch (err) {
      throw sqliteOpenError(target.location, err);
    }
    makePrivate(target.location, `${target.location}-wal`, `${target.location}-shm`);
  }
  let raw: BetterSqlite3.Database;
  try {
    raw = new BetterSqlite3(target.location, { readonly: opts.readonly ?? false });
  } catch (err) {
    throw sqliteOpenError(target.location, err);
  }
  raw.pragma('busy_timeout = 10000');
  if (!opts.readonly) {
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
  }
  raw.pragma('foreign_keys = ON');
  raw.pragma('temp_store = MEMORY');
  raw.pragma(`cache_size = -${(target.sqliteCacheMb ?? 32) * 1024}`);
  raw.pragma(`mmap_size = ${(target.sqliteMmapMb ?? 0) * 1024 * 1024}`);
  const writes = createWriteTracker();
  const observers = new Set<(e: LogEvent) => void>();
  const driver = new SqliteStatementDriver(cachedSqliteDatabase(raw), statementEvents([writes.observe, opts.log], observers));
  const kysely = new Kysely<DB>({ dialect: new SqliteStatementDialect(driver) });
  // compileOnce's statements run at once when the connection is free (sqlite-dialect.ts).
  runStatementsWith(kysely, (query) => driver.runNow(query));
  let closed = false;
  return {
    kysely,
    engine: 'sqlite',
    target,
    sqlite: raw,
    poolStats: () => undefined,
    writeStatus: writes.status,
    serverVersion: async () => (raw.prepare('select sqlite_version() as v').get() as { v: string }).v,
    journalMode: async () => String(raw.pragma('journal_mode', { simple: true })),
    observeQueries: (listener) => subscribe(observers, listener),
    async close() {
      if (closed) return;
      closed = true;
      if (!opts.readonly) {
        try {
          raw.pragma('optimize');
        } catch {
          /* best effort on close */
        }
      }
      await kysely.destroy();
    },
  };
}

function openPostgres(target: DatabaseTarget, opts: OpenOptions): Database {
  const max = target.pgPoolMax ?? 10;
  const pool = new pg.Pool({
    connectionString: target.location,
    max,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 30_000,
    options: pgSessionOptions(target),
  });
  // Swallow errors of idle clients (e.g. server restart); the next query reports the failure.
  pool.on('error', () => {});
  const prepared = target.pgPrepared !== false;
  if (prepared) pool.on('connect', (client) => usePreparedStatements(client));
  const copyIn = createCopyIn(pool);
  const stats = { acquired: 0, waitMsTotal: 0, waitMsMax: 0 };
  // Kysely asks the pool for a client per query; timing that call measures the pool's queueing.
  const timedPool = {
    async connect() {
      const start = performance.now();
      const client = await pool.connect();
      const waited = performance.now() - start;
      stats.acquired += 1;
      stats.waitMsTotal += waited;
      if (waited > stats.waitMsMax) stats.waitMsMax = waited;
      return client;
    },
    end: () => pool.end(),
  };
  const writes = createWriteTracker();
  const observers = new Set<(e: LogEvent) => void>();
  const onStatement = statementEvents([writes.observe, opts.log], observers);
  const routing = target.readUrls?.length
    ? createReadRouting(timedPool, { urls: target.readUrls, schema: target.pgSchema, maxLagMs: target.replicaMaxLagMs ?? 5000, poolMax: max, prepared })
    : undefined;
  const kyselyPool = routing?.pool ?? timedPool;
  const kysely = new Kysely<DB>({
    dialect: new PostgresDialect({ pool: kyselyPool, onCreateConnection: async (connection) => observeConnection(connection, onStatement) }),
  });
  // compileOnce's statements take a pool client themselves (statement-events.ts).
  runStatementsWith(kysely, (query) => runOnPool(kyselyPool, query, onStatement));
  let closed = false;
  return {
    kysely,
    engine: 'postgres',
    target,
    copyIn,
    ...(routing ? { replicas: routing.status, checkReplicas: routing.check } : {}),
    poolStats: () => ({
      size: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      max,
      acquired: stats.acquired,
      waitMsTotal: Math.round(stats.waitMsTotal),
      waitMsMax: Math.round(stats.waitMsMax),
    }),
    writeStatus: writes.status,
    serverVersion: async () => {
      const r = await sql<{ v: string }>`show server_version`.execute(kysely);
      return String((r.rows[0] as unknown as Record<string, string>).server_version ?? r.rows[0]?.v);
    },
    journalMode: async () => 'wal',
    observeQueries: (listener) => subscribe(observers, listener),
    async close() {
      if (closed) return;
      closed = true;
      await kysely.destroy();
    },
  };
}

/** The `-c name=value` settings every pool connection starts with (the schema, synchronous_commit). */
function pgSessionOptions(target: DatabaseTarget): string | undefined {
  const settings = [
    ...(target.pgSchema ? [`-c search_path=${target.pgSchema}`] : []),
    ...(target.pgSynchronousCommit ? [`-c synchronous_commit=${target.pgSynchronousCommit}`] : []),
  ];
  return settings.length ? settings.join(' ') : undefined;
}

function subscribe<T>(set: Set<T>, listener: T): () => void {
  set.add(listener);
  return () => {
    set.delete(listener);
  };
}
