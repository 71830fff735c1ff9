import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, createContext } from '../../src/app.js';
import { createSharedLoginLimiter } from '../../src/auth/login-limiter.shared.js';
import { channelName, startClusterSignals } from '../../src/db/cluster-signals.js';
import { createCountersSql } from '../../src/db/counters.sql.js';
import { databaseRateLimitStore, type RateLimitHit } from '../../src/db/rate-limit-store.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';

const silentLog = { warn() {}, info() {}, error() {} };

function incr(store: { incr(k: string, cb: (e: Error | null, h?: RateLimitHit) => void, w: number): void }, key: string, windowMs = 60_000) {
  return new Promise<RateLimitHit>((resolve, reject) => store.incr(key, (err, hit) => (err ? reject(err) : resolve(hit!)), windowMs));
}
function read(store: { read(k: string, cb: (e: Error | null, h?: RateLimitHit) => void): void }, key: string) {
  return new Promise<RateLimitHit>((resolve, reject) => store.read(key, (err, hit) => (err ? reject(err) : resolve(hit!))));
}

for (const engine of sqlEngines()) {
  describe(`shared counters on ${engine}`, () => {
    let t: TestDatabase | undefined;
    afterEach(async () => {
      await t?.cleanup();
      t = undefined;
    });

    it('counts concurrent increments without losing one, restarts an ended window, reads and clears', async () => {
      t = await createTestDatabase(engine, { migrate: true });
      const a = createCountersSql(t.db.kysely);
      const b = createCountersSql(t.db.kysely);
      const hits = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).increment('k', 1000, 10_000)));
      expect(hits.map((h) => h.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(new Set(hits.map((h) => h.resetAt))).toEqual(new Set([11_000]));
      expect((await a.read(['k', 'other'], 10_500)).get('k')).toEqual({ count: 40, resetAt: 11_000 });
      expect((await a.read(['k'], 11_000)).size).toBe(0);
      expect(await a.read([], 0)).toEqual(new Map());
      // The window ended: the next increment starts a new one.
      expect(await b.increment('k', 1000, 11_000)).toEqual({ count: 1, resetAt: 12_000 });
      expect(await a.countLive('k', 11_500)).toBe(1);
      await a.clear('k');
      expect(await a.countLive('k', 11_500)).toBe(0);
    });

    it('purges ended windows every few hundred increments', async () => {
      t = await createTestDatabase(engine, { migrate: true });
      const c = createCountersSql(t.db.kysely);
      await c.increment('old', 10, 0);
      for (let i = 0; i < 499; i++) await c.increment('busy', 60_000, 1000);
      const left = await t.db.kysely.selectFrom('rate_counters').select('key').execute();
      expect(left.map((r) => r.key)).toEqual(['busy']);
    }, 60_000);

    it('login limiter: failures recorded by two processes lock the key once for both', async () => {
      t = await createTestDatabase(engine, { migrate: true });
      let now = 1_000_000;
      const make = () => createSharedLoginLimiter({ counters: createCountersSql(t!.db.kysely), max: 3, windowMs: 60_000, now: () => now });
      const [p1, p2] = [make(), make()];
      await p1.recordFailure(['pair']);
      await p2.recordFailure(['pair', 'ip']);
      expect(await p1.retryAfter(['pair'])).toBe(0);
      await p1.recordFailure(['pair']);
      expect(await p2.retryAfter(['ip', 'pair'])).toBe(60);
      now += 30_000;
      expect(await p1.retryAfter(['pair'])).toBe(30);
      await p2.clear('pair');
      expect(await p1.retryAfter(['pair'])).toBe(0);
    });

    it('rate-limit store: two stores (processes) share one count per key; a route store counts apart', async () => {
      t = await createTestDatabase(engine, { migrate: true });
      const Store = databaseRateLimitStore(createCountersSql(t.db.kysely), () => 5_000);
      const one = new Store();
      const two = new Store();
      expect(await incr(one, '10.0.0.1')).toEqual({ current: 1, ttl: 60_000 });
      expect(await incr(two, '10.0.0.1')).toEqual({ current: 2, ttl: 60_000 });
      expect(await read(one, '10.0.0.1')).toEqual({ current: 2, ttl: 60_000 });
      expect(await read(one, '10.0.0.2')).toEqual({ current: 0, ttl: 0 });
      const route = one.child({ routeInfo: { method: 'POST', url: '/api/wanted/scan' } });
      expect(route.prefix).toBe('rl:POST /api/wanted/scan:');
      expect(await incr(route, '10.0.0.1')).toEqual({ current: 1, ttl: 60_000 });
      // A database error reaches the plugin as an error (it then lets the request through).
      await t.db.close();
      await expect(incr(one, '10.0.0.1')).rejects.toThrow();
      await expect(read(one, '10.0.0.1')).rejects.toThrow();
    });

    it('signals: a message published by one process reaches the others, never itself; an oversized one is cut', async () => {
      t = await createTestDatabase(engine, { migrate: true });
      const a = startClusterSignals(t.db, { pollMs: 20 });
      const b = startClusterSignals(t.db, { pollMs: 20 });
      await Promise.all([a.ready(), b.ready()]);
      const gotA: unknown[] = [];
      const gotB: unknown[] = [];
      a.subscribe((topic, p) => gotA.push([topic, p]));
      const off = b.subscribe((topic, p) => gotB.push([topic, p]));
      b.subscribe(() => {
        throw new Error('a broken listener');
      });
      a.publish('hello', { n: 1 });
      a.publish('big', { text: 'x'.repeat(10_000) });
      await until(() => gotB.length === 2);
      expect(gotB).toEqual([
        ['hello', { n: 1 }],
        ['big', { truncated: true }],
      ]);
      expect(gotA).toEqual([]);
      off();
      await Promise.all([a.close(), b.close()]);
    });
  });
}

describe.skipIf(!sqlEngines().includes('sqlite'))('signals on SQLite', () => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });

  it('writes and polls nothing while `peers` says no; a newcomer is heard from its first message, older rows never', async () => {
    t = await createTestDatabase('sqlite', { migrate: true });
    const rows = async () => (await t!.db.kysely.selectFrom('event_outbox').select('seq').execute()).length;
    const pause = () => new Promise((r) => setTimeout(r, 200));
    let aHasPeers = false;
    const a = startClusterSignals(t.db, { pollMs: 20, peersMs: 20, peers: async () => aHasPeers });
    const b = startClusterSignals(t.db, { pollMs: 20, peersMs: 20, peers: async () => true });
    await Promise.all([a.ready(), b.ready()]);
    const gotA: unknown[] = [];
    const gotB: unknown[] = [];
    a.subscribe((topic, p) => gotA.push([topic, p]));
    b.subscribe((topic, p) => gotB.push([topic, p]));
    a.publish('alone', 1);
    // B knows of A: its message is written at once, while A (alone in its view) neither writes nor polls.
    b.publish('stale', 2);
    await pause();
    expect(await rows()).toBe(1);
    expect(gotA).toEqual([]);
    // A newcomer appears, then writes (maybe before A's next look): that arrives; the row from before A last looked does not.
    aHasPeers = true;
    b.publish('early', 5);
    await until(() => gotA.length === 1);
    await pause();
    expect(gotA).toEqual([['early', 5]]);
    a.publish('hello', 3);
    await until(() => gotB.length === 1);
    expect(gotB).toEqual([['hello', 3]]);
    // B gone: A writes no more.
    aHasPeers = false;
    await pause();
    const before = await rows();
    a.publish('alone again', 4);
    await pause();
    expect(await rows()).toBe(before);
    await Promise.all([a.close(), b.close()]);
  });
});

describe.skipIf(!sqlEngines().includes('postgres'))('signals on PostgreSQL', () => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });

  it('listen again after the LISTEN connection is killed', async () => {
    t = await createTestDatabase('postgres', { migrate: true });
    const errors: unknown[] = [];
    const a = startClusterSignals(t.db);
    const b = startClusterSignals(t.db, { reconnectMs: 50, onError: (e) => errors.push(e) });
    await Promise.all([a.ready(), b.ready()]);
    const got: unknown[] = [];
    b.subscribe((_t, p) => got.push(p));
    const killed = await sql<{
      n: number;
    }>`select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where query = ${`LISTEN "${channelName(t.target.pgSchema)}"`}`.execute(
      t.db.kysely,
    );
    expect(killed.rows[0].n).toBe(2);
    for (let i = 0; i < 100 && got.length === 0; i++) {
      a.publish('ping', i);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(got.length).toBeGreaterThan(0);
    expect(errors.length).toBeGreaterThan(0);
    await Promise.all([a.close(), b.close()]);
  });

  it('two apps on one database enforce one request rate limit', async () => {
    let first: TestApp | undefined;
    let second: Awaited<ReturnType<typeof buildApp>> | undefined;
    try {
      first = await createTestApp({ engine: 'postgres', env: { RATE_LIMIT_MAX: '3' } });
      const ctx = await createContext(first.ctx.config, first.ctx.db, silentLog);
      second = await buildApp(ctx);
      const statuses: number[] = [];
      for (const app of [first.app, second, first.app, second]) statuses.push((await app.inject({ method: 'GET', url: '/api/auth/status' })).statusCode);
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await second?.close();
      await first?.close();
    }
  });
});

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}
