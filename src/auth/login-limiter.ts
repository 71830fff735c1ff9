/**
 * Failed-login limiter: failure counts per key (auth.service.ts picks the keys), fixed windows.
 * The server counts in the database (login-limiter.shared.ts: every process on one database
 * shares the counts); this in-memory one resets when the process restarts. The check comes
 * BEFORE the password hash is computed, so a flood costs no CPU.
 */
export interface LoginLimiter {
  /** Seconds until the caller may try again, or 0 when allowed. */
  retryAfter(keys: string[]): number | Promise<number>;
  recordFailure(keys: string[]): void | Promise<void>;
  clear(key: string): void | Promise<void>;
}

/** Memory bound: about 100 bytes a key. */
export const MAX_KEYS = 50_000;

export interface LoginLimiterStats {
  keys: number;
}

export function createLoginLimiter(opts: { max: number; windowMs: number; now: () => number }): LoginLimiter & { stats(): LoginLimiterStats } {
  const hits = new Map<string, { count: number; resetAt: number }>();

  function live(key: string, now: number) {
    const h = hits.get(key);
    if (h && h.resetAt <= now) {
      hits.delete(key);
      return undefined;
    }
    return h;
  }

  function sweep(now: number) {
    for (const [k, h] of hits) if (h.resetAt <= now) hits.delete(k);
    // Still too many (a spray from many addresses): drop the oldest windows down to 90%, so the
    // next sweep is again MAX_KEYS/10 records away (amortised O(1) per failure).
    for (const k of hits.keys()) {
      if (hits.size <= MAX_KEYS * 0.9) break;
      hits.delete(k);
    }
  }

  return {
    retryAfter(keys) {
      const now = opts.now();
      let wait = 0;
      for (const k of keys) {
        const h = live(k, now);
        if (h && h.count >= opts.max) wait = Math.max(wait, Math.ceil((h.resetAt - now) / 1000));
      }
      return wait;
    },
    recordFailure(keys) {
      const now = opts.now();
      if (hits.size >= MAX_KEYS) sweep(now);
      for (const k of keys) {
        const h = live(k, now);
        if (h) h.count += 1;
        else hits.set(k, { count: 1, resetAt: now + opts.windowMs });
      }
    },
    clear(key) {
      hits.delete(key);
    },
    stats() {
      return { keys: hits.size };
    },
  };
}
