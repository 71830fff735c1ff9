import { type Kysely, sql } from 'kysely';
import type { DB } from './schema.js';

/**
 * Fixed-window counters in the `rate_counters` table, shared by every server process on the
 * database: the request rate limit and the failed-login limiter count here, so N processes behind
 * a proxy enforce one limit, not N. One statement per increment (an upsert that restarts an
 * expired window), so concurrent increments from several processes never lose a count.
 */
export interface CounterHit {
  count: number;
  /** Epoch ms when the window ends. */
  resetAt: number;
}

/** One in this many increments also deletes expired windows (amortised cleanup, no timer). */
const PURGE_EVERY = 500;

export function createCountersSql(db: Kysely<DB>) {
  let sincePurge = 0;
  return {
    /** Adds one to `key`'s window (a new window of `windowMs` when there is none or it ended). */
    async increment(key: string, windowMs: number, now: number): Promise<CounterHit> {
      if (++sincePurge >= PURGE_EVERY) {
        sincePurge = 0;
        await db.deleteFrom('rate_counters').where('reset_at', '<=', now).execute();
      }
      const ended = sql<boolean>`rate_counters.reset_at <= ${now}`;
      const row = await db
        .insertInto('rate_counters')
        .values({ key, count: 1, reset_at: now + windowMs })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            count: sql<number>`case when ${ended} then 1 else rate_counters.count + 1 end`,
            reset_at: sql<number>`case when ${ended} then excluded.reset_at else rate_counters.reset_at end`,
          }),
        )
        .returning(['count', 'reset_at'])
        .executeTakeFirstOrThrow();
      return { count: Number(row.count), resetAt: Number(row.reset_at) };
    },

    /** The live windows among `keys` (ended ones are left out). */
    async read(keys: string[], now: number): Promise<Map<string, CounterHit>> {
      if (keys.length === 0) return new Map();
      const rows = await db.selectFrom('rate_counters').select(['key', 'count', 'reset_at']).where('key', 'in', keys).where('reset_at', '>', now).execute();
      return new Map(rows.map((r) => [r.key, { count: Number(r.count), resetAt: Number(r.reset_at) }]));
    },

    async clear(key: string): Promise<void> {
      await db.deleteFrom('rate_counters').where('key', '=', key).execute();
    },

    /** Live windows whose key starts with `prefix` (health, tests). */
    async countLive(prefix: string, now: number): Promise<number> {
      const r = await db
        .selectFrom('rate_counters')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('key', 'like', `${prefix}%`)
        .where('reset_at', '>', now)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
export type CountersSql = ReturnType<typeof createCountersSql>;
