import type { CountersSql } from './counters.sql.js';

/** What @fastify/rate-limit hands a store's `incr`/`read` callback. */
export interface RateLimitHit {
  current: number;
  ttl: number;
}
type Callback = (err: Error | null, hit?: RateLimitHit) => void;

/** The parts of @fastify/rate-limit's per-route options a store reads. */
interface RouteParams {
  routeInfo?: { method?: string | string[]; url?: string };
}

/**
 * A `store` for @fastify/rate-limit that counts in the database (counters.sql.ts), so every
 * server process on one database enforces the same limit for a client. Routes with their own
 * limit (`config.rateLimit`) count under their own key prefix, as the plugin's in-memory store does.
 */
export function databaseRateLimitStore(counters: CountersSql, now: () => number = Date.now) {
  return class DatabaseRateLimitStore {
    readonly prefix: string;
    constructor(params?: object) {
      const route = (params as RouteParams | undefined)?.routeInfo;
      this.prefix = route?.url ? `rl:${[route.method].flat().join(',')} ${route.url}:` : 'rl:';
    }

    incr(key: string, cb: Callback, timeWindow: number): void {
      const at = now();
      counters.increment(this.prefix + key, timeWindow, at).then(
        (hit) => cb(null, { current: hit.count, ttl: Math.max(0, hit.resetAt - at) }),
        (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))),
      );
    }

    read(key: string, cb: Callback): void {
      const at = now();
      counters.read([this.prefix + key], at).then(
        (hits) => {
          const hit = hits.get(this.prefix + key);
          cb(null, hit ? { current: hit.count, ttl: Math.max(0, hit.resetAt - at) } : { current: 0, ttl: 0 });
        },
        (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))),
      );
    }

    child(params: object): DatabaseRateLimitStore {
      return new DatabaseRateLimitStore(params);
    }
  };
}
