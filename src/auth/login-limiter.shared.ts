import type { CountersSql } from '../db/counters.sql.js';
import type { LoginLimiter } from './login-limiter.js';

/**
 * The failed-login limiter on the database's `rate_counters` table: failures counted on any
 * server process of one database lock the same (email, IP) pair and IP everywhere, and survive
 * a restart. Keys are prefixed `login:` so they never meet the request rate limit's.
 */
export function createSharedLoginLimiter(opts: { counters: CountersSql; max: number; windowMs: number; now: () => number }): LoginLimiter {
  const { counters } = opts;
  const k = (key: string) => `login:${key}`;
  return {
    async retryAfter(keys) {
      const now = opts.now();
      const hits = await counters.read(keys.map(k), now);
      let wait = 0;
      for (const h of hits.values()) if (h.count >= opts.max) wait = Math.max(wait, Math.ceil((h.resetAt - now) / 1000));
      return wait;
    },
    async recordFailure(keys) {
      const now = opts.now();
      for (const key of keys) await counters.increment(k(key), opts.windowMs, now);
    },
    async clear(key) {
      await counters.clear(k(key));
    },
  };
}
