import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import { createLocksSql, describeHolder, type HeldLock, holderIsDead } from '../db/locks.sql.js';
import type { DB } from '../db/schema.js';

/**
 * `mediaos serve` announces itself with a row in the `locks` table (`server:<host>:<pid>`,
 * heartbeat every few seconds), so `mediaos restore` can refuse to swap the database under a
 * running server. A row whose heartbeat is older than SERVER_STALE_MS, or whose process on this
 * host has exited, is ignored (a killed server does not block a restore).
 */
export const SERVER_LOCK_PREFIX = 'server:';
export const SERVER_STALE_MS = 60_000;

export function serverLockName(): string {
  return `${SERVER_LOCK_PREFIX}${hostname()}:${process.pid}`;
}

export function createServerPresenceSql(db: Kysely<DB>) {
  return {
    /** Announces this process as a running server; release() on shutdown. */
    announce(): Promise<HeldLock> {
      return createLocksSql(db).acquire(serverLockName(), describeHolder('mediaos serve'), {
        waitMs: 0,
        staleMs: SERVER_STALE_MS,
        heartbeatMs: SERVER_STALE_MS / 6,
      });
    },

    /** The holders of live server rows (other than this process's own). */
    async liveServers(now = Date.now()): Promise<string[]> {
      const rows = await db.selectFrom('locks').select(['name', 'holder', 'heartbeat_at']).where('name', 'like', `${SERVER_LOCK_PREFIX}%`).execute();
      return rows
        .filter((r) => r.name !== serverLockName() && Date.parse(r.heartbeat_at) >= now - SERVER_STALE_MS && !holderIsDead(r.holder))
        .map((r) => r.holder);
    },

    /** Removes every server row (a restored snapshot may carry the row of the server it was taken from). */
    async clear(): Promise<void> {
      await db.deleteFrom('locks').where('name', 'like', `${SERVER_LOCK_PREFIX}%`).execute();
    },
  };
}
