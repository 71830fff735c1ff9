import { describe, expect, it } from 'vitest';
import { createLoginLimiter, MAX_KEYS } from '../../src/auth/login-limiter.js';

describe('login limiter', () => {
  it('counts failures per key in fixed windows and reports the wait in seconds', () => {
    let now = 1_000_000;
    const l = createLoginLimiter({ max: 2, windowMs: 60_000, now: () => now });
    expect(l.retryAfter(['ip:a', 'email:x'])).toBe(0);
    l.recordFailure(['ip:a', 'email:x']);
    now += 10_000;
    l.recordFailure(['ip:b', 'email:x']);
    expect(l.retryAfter(['ip:c', 'email:x'])).toBe(50);
    expect(l.retryAfter(['ip:a', 'email:y'])).toBe(0);
    l.clear('email:x');
    expect(l.retryAfter(['ip:c', 'email:x'])).toBe(0);
    l.recordFailure(['email:z']);
    l.recordFailure(['email:z']);
    now += 60_000;
    expect(l.retryAfter(['email:z'])).toBe(0);
  });

  it('stays bounded under a spray of distinct keys', () => {
    let now = 0;
    const l = createLoginLimiter({ max: 1, windowMs: 1000, now: () => now });
    for (let i = 0; i < MAX_KEYS + 10; i++) l.recordFailure([`ip:${i}`]);
    expect(l.stats().keys).toBeLessThanOrEqual(MAX_KEYS);
    expect(l.retryAfter([`ip:${MAX_KEYS + 5}`])).toBe(1); // the newest windows survive
    now += 2000;
    for (let i = 0; i < MAX_KEYS / 10 + 1; i++) l.recordFailure([`ip:new${i}`]);
    expect(l.stats().keys).toBeLessThan(MAX_KEYS / 5); // expired windows were swept
    expect(l.retryAfter(['ip:5'])).toBe(0);
  });
});
