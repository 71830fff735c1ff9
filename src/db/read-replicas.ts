import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { usePreparedStatements } from './pg-prepared.js';

/**
 * Read replicas (DATABASE_READ_URLS). The pool Kysely sees hands out a routed client that picks
 * its server at its first statement:
 * - inside an HTTP request (`runAsReader`), a plain SELECT goes to a usable replica, round-robin;
 * - everything else goes to the primary: writes, transactions (`begin`), SELECT ... FOR UPDATE,
 *   functions with effects (pg_notify, nextval, advisory locks), and all work outside a request
 *   (jobs, startup, the CLI), which may read back what it just wrote;
 * - read-your-writes: a reader (the request's credentials, else its IP) that wrote on the primary
 *   reads from the primary for `maxLagMs` after, the longest a usable replica may lag. Per
 *   process: behind a proxy without stickiness another process may serve the next read from a
 *   replica that is at most `maxLagMs` behind.
 * A replica is usable while its last check (every `checkMs`) answered and its replay lag was
 * within `maxLagMs`. A read that fails on a replica is retried once on the primary, so a
 * replica going away costs no request; a connection failure also marks it down until its next good check.
 */

export interface ReplicaStatus {
  /** host:port/database, never credentials. */
  name: string;
  ok: boolean;
  lagMs?: number;
  error?: string;
  checkedAt?: string;
  /** Statements answered by this replica since start. */
  reads: number;
}

export interface ReplicaOptions {
  urls: string[];
  schema?: string;
  maxLagMs: number;
  poolMax: number;
  /** Named prepared statements on the replicas too (MEDIAOS_PG_PREPARED; default true). */
  prepared?: boolean;
  /** Period of the lag check (default 2 s). */
  checkMs?: number;
}

/** The pool interface Kysely's PostgresDialect needs (what pg.Pool offers). */
export interface RoutablePool {
  connect(): Promise<{ query: pg.PoolClient['query']; release(err?: Error | boolean): void }>;
  end(): Promise<void>;
}

const readers = new AsyncLocalStorage<{ key: string }>();

/** A statement as pg's client.query takes it: its SQL, or a config holding it. */
type QueryText = string | { text: string };
const sqlOf = (q: QueryText): string => (typeof q === 'string' ? q : q.text);

/** Runs `fn` (the rest of an HTTP request) as `key`'s reads: the only reads replicas may serve. */
export function runAsReader(key: string, fn: () => void): void {
  readers.run({ key }, fn);
}

const EFFECTS =
  /\b(for\s+(update|share|no\s+key\s+update|key\s+share)|pg_notify|nextval|setval|pg_advisory\w*|pg_try_advisory\w*|set_config|txid_current|pg_current_wal\w*)\b/i;

/** Runs `fn` as work outside a request: what it reads comes from the primary (an answer kept for later must not lag). */
export function onPrimary<T>(fn: () => T): T {
  return readers.exit(fn);
}

/** A statement a hot standby can answer without changing anything. */
export function isReadOnlyStatement(text: string): boolean {
  return /^\s*(select|show)\b/i.test(text) && !EFFECTS.test(text);
}

export function replicaName(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'replica';
  }
}

interface Replica {
  pool: pg.Pool;
  status: ReplicaStatus;
  /** When false, not before this time (ms). */
  downUntil: number;
}

const LAG_SQL = `select case when pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0
  else coalesce(extract(epoch from now() - pg_last_xact_replay_timestamp()) * 1000, 0) end::float8 as lag_ms,
  pg_is_in_recovery() as standby`;

const PIN_KEYS_MAX = 10_000;

export function createReadRouting(primary: RoutablePool, opts: ReplicaOptions) {
  const replicas: Replica[] = opts.urls.map((url) => {
    const pool = new pg.Pool({
      connectionString: url,
      max: opts.poolMax,
      idleTimeoutMillis: 30_000,
      // A replica that does not answer must not hold a request long: the primary takes over.
      connectionTimeoutMillis: 2_000,
      options: opts.schema ? `-c search_path=${opts.schema}` : undefined,
    });
    pool.on('error', () => {});
    // A replica that goes away mid-checkout must not crash the process: the statement in flight fails (and is retried on the primary).
    pool.on('connect', (client) => {
      client.on('error', () => {});
      if (opts.prepared !== false) usePreparedStatements(client);
    });
    return { pool, status: { name: replicaName(url), ok: false, reads: 0 }, downUntil: 0 };
  });
  const pinnedUntil = new Map<string, number>();
  let next = 0;

  function pick(): Replica | undefined {
    const now = Date.now();
    for (let i = 0; i < replicas.length; i++) {
      const r = replicas[(next + i) % replicas.length];
      if (r.status.ok && r.downUntil <= now) {
        next = (next + i + 1) % replicas.length;
        return r;
      }
    }
    return undefined;
  }

  function markDown(r: Replica, err: unknown) {
    r.status.ok = false;
    r.status.error = err instanceof Error ? err.message : String(err);
    r.downUntil = Date.now() + (opts.checkMs ?? 2000);
  }

  function pinned(key: string): boolean {
    const until = pinnedUntil.get(key);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    pinnedUntil.delete(key);
    return false;
  }

  function pin(key: string) {
    if (pinnedUntil.size >= PIN_KEYS_MAX) {
      const now = Date.now();
      for (const [k, until] of pinnedUntil) if (until <= now) pinnedUntil.delete(k);
      if (pinnedUntil.size >= PIN_KEYS_MAX) pinnedUntil.clear();
    }
    pinnedUntil.set(key, Date.now() + opts.maxLagMs);
  }

  async function check(r: Replica) {
    try {
      const res = await r.pool.query<{ lag_ms: number; standby: boolean }>(LAG_SQL);
      const row = res.rows[0];
      const lagMs = Math.round(Number(row.lag_ms));
      r.status.lagMs = lagMs;
      r.status.checkedAt = new Date().toISOString();
      if (!row.standby) throw new Error('not a standby (pg_is_in_recovery() is false)');
      if (lagMs > opts.maxLagMs) throw new Error(`replay lag ${lagMs} ms is over the bound of ${opts.maxLagMs} ms`);
      r.status.ok = true;
      r.status.error = undefined;
      r.downUntil = 0;
    } catch (err) {
      r.status.checkedAt = new Date().toISOString();
      markDown(r, err);
    }
  }
  const checkAll = () => Promise.all(replicas.map(check)).then(() => undefined);
  const timer = setInterval(() => void checkAll(), opts.checkMs ?? 2000);
  timer.unref();

  /** One statement's (or one transaction's) connection, chosen at its first statement. */
  function routedClient() {
    let real: Awaited<ReturnType<RoutablePool['connect']>> | undefined;
    let on: Replica | undefined;
    const reader = readers.getStore();
    const onPrimary = async (text: QueryText, values: unknown) => {
      real ??= await primary.connect();
      if (reader && !isReadOnlyStatement(sqlOf(text))) pin(reader.key);
      return real.query(text as string, values as unknown[]);
    };
    return {
      /** `text` as pg takes it: the SQL, or a query config (`{ text, values, rowMode }`, runOnPool's form). */
      async query(text: QueryText, values?: unknown) {
        if (!real && reader && isReadOnlyStatement(sqlOf(text)) && !pinned(reader.key)) {
          const r = pick();
          if (r) {
            try {
              real = await r.pool.connect();
              on = r;
            } catch (err) {
              markDown(r, err);
            }
          }
        }
        if (!on) return onPrimary(text, values);
        const replica = on;
        try {
          const res = await real!.query(text as string, values as unknown[]);
          replica.status.reads += 1;
          return res;
        } catch (err) {
          // Whatever failed there, the primary answers this read (a SQL error comes back again from it).
          const lost = !(err as { code?: string }).code || /^(08|57)/.test(String((err as { code?: string }).code));
          if (lost) markDown(replica, err);
          real!.release(lost ? (err as Error) : undefined);
          real = undefined;
          on = undefined;
          return onPrimary(text, values);
        }
      },
      release(err?: Error | boolean) {
        real?.release(err);
        real = undefined;
        on = undefined;
      },
    };
  }

  return {
    pool: {
      connect: async () => routedClient() as unknown as Awaited<ReturnType<RoutablePool['connect']>>,
      async end() {
        clearInterval(timer);
        await Promise.all(replicas.map((r) => r.pool.end().catch(() => {})));
        await primary.end();
      },
    } satisfies RoutablePool,
    /** Runs the lag check now (start-up waits for it, tests call it). */
    check: checkAll,
    status: (): ReplicaStatus[] => replicas.map((r) => ({ ...r.status })),
  };
}
export type ReadRouting = ReturnType<typeof createReadRouting>;
