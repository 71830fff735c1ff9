import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { DB } from './schema.js';

/**
 * Cooperative locks in the `locks` table, so two imports (or an import and a schema migration)
 * never run at once, on SQLite and PostgreSQL alike. A lock row names its holder
 * (`<what> pid <pid> on <host>`); the holder refreshes `heartbeat_at` while it works.
 *
 * A row is stale, and may be taken over, when its heartbeat is older than `staleMs`, or when it
 * was taken on this host by a process that no longer exists (a killed import must not block the
 * next one for minutes). On SQLite a long import transaction also holds SQLite's write lock, so
 * its heartbeat waits until the transaction ends: the dead-process test is what makes takeover
 * quick there, and `staleMs` is generous.
 */

/** The one lock imports and schema migrations share. */
export const MAINTENANCE_LOCK = 'maintenance';

/** The default age of a heartbeat that makes a lock stale. */
export const DEFAULT_STALE_MS = 5 * 60_000;

export class LockBusyError extends Error {
  override name = 'LockBusyError';
  constructor(
    readonly lock: string,
    readonly holder: string,
    readonly since: string,
    /** Last heartbeat and when the lock expires without another one (unknown for SQLite's write lock). */
    readonly heartbeatAt?: string,
    readonly expiresAt?: string,
  ) {
    super(
      `another ${lock} task is running: ${holder} (since ${since}${heartbeatAt ? `, last heartbeat ${heartbeatAt}` : ''}); wait for it to finish, or stop it and run again` +
        (expiresAt
          ? `. If that process is gone, the lock expires at ${expiresAt}; \`mediaos import --force-unlock\` clears it then (at once when its holder was a process on this host that no longer runs)`
          : ''),
    );
  }
}

export type ForceUnlockResult = { action: 'none' } | { action: 'cleared' | 'refused'; holder: string; since: string; why: string };

export interface LockOptions {
  /** How long to wait for a busy lock before refusing (default 10 s). */
  waitMs?: number;
  /** A heartbeat older than this makes the lock stale (default 5 min). */
  staleMs?: number;
  /** Heartbeat period (default staleMs / 5). */
  heartbeatMs?: number;
  /** Poll period while waiting (default 250 ms). */
  pollMs?: number;
  /** Called once when the lock is busy and we start waiting. */
  onWait?: (holder: string) => void;
}

export interface HeldLock {
  name: string;
  holder: string;
  /** Refreshes the heartbeat now (also done on a timer). */
  heartbeat(): Promise<void>;
  release(): Promise<void>;
}

export function describeHolder(what: string): string {
  return `${what} pid ${process.pid} on ${hostname()}`;
}

const HOLDER_RE = / pid (\d+) on (.+)$/;

/** True when the holder was a process on this host that has exited. */
export function holderIsDead(holder: string): boolean {
  const m = HOLDER_RE.exec(holder);
  if (!m || m[2] !== hostname()) return false;
  const pid = Number(m[1]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

const isBusyError = (err: unknown) => /SQLITE_BUSY|database is locked/i.test(String((err as Error)?.message ?? err));

export function createLocksSql(db: Kysely<DB>) {
  async function tryTake(
    name: string,
    holder: string,
    staleMs: number,
  ): Promise<{ ok: true } | { ok: false; holder: string; since: string; heartbeatAt?: string }> {
    const now = new Date().toISOString();
    const inserted = await db
      .insertInto('locks')
      .values({ name, holder, acquired_at: now, heartbeat_at: now })
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return { ok: true };
    const row = await db.selectFrom('locks').select(['holder', 'acquired_at', 'heartbeat_at']).where('name', '=', name).executeTakeFirst();
    if (!row) return tryTake(name, holder, staleMs); // released between the two statements
    const stale = Date.parse(row.heartbeat_at) < Date.now() - staleMs || holderIsDead(row.holder);
    if (!stale) return { ok: false, holder: row.holder, since: row.acquired_at, heartbeatAt: row.heartbeat_at };
    // Take over only if nobody else did in the meantime (same heartbeat as we read).
    const taken = await db
      .updateTable('locks')
      .set({ holder, acquired_at: now, heartbeat_at: now })
      .where('name', '=', name)
      .where('holder', '=', row.holder)
      .where('heartbeat_at', '=', row.heartbeat_at)
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) > 0) return { ok: true };
    return { ok: false, holder: row.holder, since: row.acquired_at, heartbeatAt: row.heartbeat_at };
  }

  return {
    /** Takes the lock, waiting up to `waitMs`; throws LockBusyError naming the holder. */
    async acquire(name: string, holder: string, opts: LockOptions = {}): Promise<HeldLock> {
      const waitMs = opts.waitMs ?? 10_000;
      const staleMs = opts.staleMs ?? DEFAULT_STALE_MS;
      const pollMs = opts.pollMs ?? 250;
      const deadline = Date.now() + waitMs;
      let told = false;
      for (;;) {
        let result: Awaited<ReturnType<typeof tryTake>>;
        try {
          result = await tryTake(name, holder, staleMs);
        } catch (err) {
          // SQLite: another process holds the write lock (it is importing right now).
          if (!isBusyError(err)) throw err;
          result = { ok: false, holder: 'another process writing to the database', since: new Date().toISOString() };
        }
        if (result.ok) return held(name, holder, opts.heartbeatMs ?? Math.max(1000, Math.floor(staleMs / 5)));
        if (Date.now() >= deadline) {
          const expires = result.heartbeatAt ? new Date(Date.parse(result.heartbeatAt) + staleMs).toISOString() : undefined;
          throw new LockBusyError(name, result.holder, result.since, result.heartbeatAt, expires);
        }
        if (!told) {
          opts.onWait?.(result.holder);
          told = true;
        }
        await new Promise((r) => setTimeout(r, Math.min(pollMs, Math.max(1, deadline - Date.now()))));
      }
    },

    /**
     * Waits, reading only (the database file is not written), until the lock is free or stale;
     * throws LockBusyError like acquire. Lets a task refuse before it does any expensive work.
     */
    async waitUntilFree(name: string, opts: LockOptions = {}): Promise<void> {
      const staleMs = opts.staleMs ?? DEFAULT_STALE_MS;
      const deadline = Date.now() + (opts.waitMs ?? 10_000);
      for (;;) {
        const row = await db.selectFrom('locks').select(['holder', 'acquired_at', 'heartbeat_at']).where('name', '=', name).executeTakeFirst();
        if (!row || Date.parse(row.heartbeat_at) < Date.now() - staleMs || holderIsDead(row.holder)) return;
        if (Date.now() >= deadline)
          throw new LockBusyError(name, row.holder, row.acquired_at, row.heartbeat_at, new Date(Date.parse(row.heartbeat_at) + staleMs).toISOString());
        await new Promise((r) => setTimeout(r, Math.min(opts.pollMs ?? 250, Math.max(1, deadline - Date.now()))));
      }
    },

    /**
     * Removes the lock only when it is expired (heartbeat older than `staleMs`) or its holder was a
     * process on this host that no longer runs; otherwise leaves it and says why.
     */
    async forceUnlock(name: string, staleMs = DEFAULT_STALE_MS): Promise<ForceUnlockResult> {
      const row = await db.selectFrom('locks').select(['holder', 'acquired_at', 'heartbeat_at']).where('name', '=', name).executeTakeFirst();
      if (!row) return { action: 'none' };
      const base = { holder: row.holder, since: row.acquired_at };
      const age = Date.now() - Date.parse(row.heartbeat_at);
      let why: string;
      if (holderIsDead(row.holder)) why = 'its holder was a process on this host that no longer runs';
      else if (age > staleMs) why = `its last heartbeat (${row.heartbeat_at}) is older than ${Math.round(staleMs / 1000)} s`;
      else {
        const m = HOLDER_RE.exec(row.holder);
        const where =
          m && m[2] === hostname()
            ? `its holder (pid ${m[1]}) still runs on this host`
            : `its holder may still run${m ? ` on ${m[2]}` : ''} (last heartbeat ${row.heartbeat_at})`;
        return {
          action: 'refused',
          ...base,
          why: `${where}; it expires at ${new Date(Date.parse(row.heartbeat_at) + staleMs).toISOString()} if that process is gone`,
        };
      }
      // Only the row we checked: a holder that took over meanwhile keeps its lock.
      const gone = await db
        .deleteFrom('locks')
        .where('name', '=', name)
        .where('holder', '=', row.holder)
        .where('heartbeat_at', '=', row.heartbeat_at)
        .executeTakeFirst();
      if (Number(gone.numDeletedRows) === 0) return { action: 'refused', ...base, why: 'it changed while it was checked (its holder is alive); run again' };
      return { action: 'cleared', ...base, why };
    },

    async current(name: string): Promise<{ holder: string; acquiredAt: string; heartbeatAt: string } | undefined> {
      const row = await db.selectFrom('locks').select(['holder', 'acquired_at', 'heartbeat_at']).where('name', '=', name).executeTakeFirst();
      return row ? { holder: row.holder, acquiredAt: row.acquired_at, heartbeatAt: row.heartbeat_at } : undefined;
    },
  };

  function held(name: string, holder: string, heartbeatMs: number): HeldLock {
    let released = false;
    const beat = async () => {
      if (released) return;
      await db.updateTable('locks').set({ heartbeat_at: new Date().toISOString() }).where('name', '=', name).where('holder', '=', holder).execute();
    };
    const timer = setInterval(() => void beat().catch(() => {}), heartbeatMs);
    timer.unref();
    return {
      name,
      holder,
      heartbeat: beat,
      async release() {
        if (released) return;
        released = true;
        clearInterval(timer);
        await db.deleteFrom('locks').where('name', '=', name).where('holder', '=', holder).execute();
      },
    };
  }
}

export type LocksSql = ReturnType<typeof createLocksSql>;

/**
 * Runs `fn` holding the maintenance lock, so a schema migration never runs while an import (or
 * another migration) does. A database without the `locks` table yet (new, or below version 1)
 * has nothing to import into, so there is nothing to exclude.
 */
export async function withMaintenanceLock<T>(
  db: Kysely<DB>,
  locksTableExists: boolean,
  what: string,
  fn: () => Promise<T>,
  opts: LockOptions = {},
): Promise<T> {
  if (!locksTableExists) return fn();
  const lock = await createLocksSql(db).acquire(MAINTENANCE_LOCK, describeHolder(what), opts);
  try {
    return await fn();
  } finally {
    // `migrate --to 0` drops the locks table with the lock row in it: nothing left to release.
    await lock.release().catch((err: unknown) => {
      if (!/no such table|does not exist/i.test(String((err as Error)?.message))) throw err;
    });
  }
}

/**
 * Runs `fn` holding the named lock, for short critical sections that several server processes on
 * one database must take in turn (e.g. the first-user registration). Polls quickly; a holder that
 * died is taken over after `staleMs`.
 */
export async function withLock<T>(db: Kysely<DB>, name: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const lock = await createLocksSql(db).acquire(name, describeHolder(name), { waitMs: 15_000, staleMs: 30_000, pollMs: 20, ...opts });
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
