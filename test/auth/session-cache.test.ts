import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, createContext } from '../../src/app.js';
import { createSessionCache } from '../../src/auth/session-cache.js';
import type { AppContext } from '../../src/context.js';
import { type ClusterSignals, channelName, startClusterSignals } from '../../src/db/cluster-signals.js';
import { createTestApp, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET, type TestApp } from '../helpers/app.js';
import { bearer, type Registered, registerAdmin, registerUser } from '../helpers/auth.js';
import { runCli } from '../helpers/cli.js';
import { sqlEngines } from '../helpers/engines.js';

const silentLog = { warn() {}, info() {}, error() {} };
/** How long another process may take to hear a change (its notice); far below the cache's 10 s default. */
const NOTICE_MS = 2000;

interface Process {
  app: FastifyInstance;
  ctx: AppContext;
  signals: ClusterSignals;
}

/**
 * Two server processes on one PostgreSQL schema, as `serve` wires them: each its own app, session
 * cache and LISTEN connection (cluster signals), sharing the database.
 */
describe.skipIf(!sqlEngines().includes('postgres'))('session cache (PostgreSQL, two processes on one database)', () => {
  let first: TestApp | undefined;
  let procs: Process[] = [];
  const detach: (() => void)[] = [];

  afterEach(async () => {
    for (const d of detach.splice(0)) d();
    for (const p of procs) await p.signals.close();
    if (procs[1]) await procs[1].app.close();
    procs = [];
    await first?.close();
    first = undefined;
  });

  async function start(env: Record<string, string> = {}, reconnectMs?: number): Promise<[Process, Process]> {
    first = await createTestApp({ engine: 'postgres', env });
    const ctx2 = await createContext(first.ctx.config, first.ctx.db, silentLog);
    const app2 = await buildApp(ctx2);
    for (const [app, ctx] of [
      [first.app, first.ctx],
      [app2, ctx2],
    ] as const) {
      const signals = startClusterSignals(ctx.db, { reconnectMs });
      procs.push({ app, ctx, signals });
      detach.push(ctx.sessionCache!.attach(signals));
      await signals.ready();
    }
    return [procs[0], procs[1]];
  }

  const me = (p: Process, token: string) => p.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(token) });
  const sidOf = (token: string): string => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sid;
  /** A revocation written behind the servers' back (no notice): only a database read sees it. */
  const revokeInDatabase = (p: Process, token: string) =>
    sql`update sessions set revoked_at = ${new Date().toISOString()}, revoke_reason = 'admin' where id = ${sidOf(token)}`.execute(p.ctx.db.kysely);

  /** The answer of `ask` once it is not 200, trying for up to `ms`. */
  async function refusedWithin(ask: () => Promise<{ statusCode: number; json(): unknown }>, ms = NOTICE_MS) {
    const end = Date.now() + ms;
    let res = await ask();
    while (res.statusCode === 200 && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
      res = await ask();
    }
    return [res.statusCode, res.json()];
  }

  it('keeps a checked session while it hears the others: a revocation written behind its back shows only when the entry expires', async () => {
    const [a] = await start({ MEDIAOS_SESSION_CACHE_MS: '3000' });
    const admin = await registerAdmin(a.app);
    expect((await me(a, admin.accessToken)).statusCode).toBe(200);
    await revokeInDatabase(a, admin.accessToken);
    expect((await me(a, admin.accessToken)).statusCode).toBe(200); // answered from the cache
    expect(await refusedWithin(() => me(a, admin.accessToken), 8000)).toEqual([401, { ok: false, error: 'Session revoked' }]);
  });

  it('MEDIAOS_SESSION_CACHE_MS=0 reads the session from the database on every request', async () => {
    const [a] = await start({ MEDIAOS_SESSION_CACHE_MS: '0' });
    const admin = await registerAdmin(a.app);
    expect((await me(a, admin.accessToken)).statusCode).toBe(200);
    await revokeInDatabase(a, admin.accessToken);
    expect((await me(a, admin.accessToken)).statusCode).toBe(401);
  });

  it('a logout is refused at once on its process and within 2 s on the other (its notice), far under the 10 s an entry lives', async () => {
    const [a, b] = await start();
    const admin = await registerAdmin(a.app);
    for (const p of [a, b]) expect((await me(p, admin.accessToken)).statusCode).toBe(200);
    expect((await a.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(admin.accessToken), payload: {} })).statusCode).toBe(200);
    expect((await me(a, admin.accessToken)).json()).toEqual({ ok: false, error: 'Session revoked' });
    expect(await refusedWithin(() => me(b, admin.accessToken))).toEqual([401, { ok: false, error: 'Session revoked' }]);
  });

  it('an admin revoking, disabling or demoting a user reaches the other process within 2 s', async () => {
    const [a, b] = await start();
    const admin = await registerAdmin(a.app);
    const asAdmin = (method: 'PATCH' | 'POST', url: string, payload: object = {}) => a.app.inject({ method, url, headers: bearer(admin.accessToken), payload });
    const warm = async (u: Registered) => {
      for (const p of [a, b]) expect((await me(p, u.accessToken)).statusCode).toBe(200);
    };

    const revoked = await registerUser(a.app, admin.accessToken);
    await warm(revoked);
    expect((await asAdmin('POST', `/api/users/${revoked.user.id}/sessions/revoke`)).statusCode).toBe(200);
    expect((await me(a, revoked.accessToken)).statusCode).toBe(401);
    expect(await refusedWithin(() => me(b, revoked.accessToken))).toEqual([401, { ok: false, error: 'Session revoked' }]);

    const disabled = await registerUser(a.app, admin.accessToken);
    await warm(disabled);
    expect((await asAdmin('PATCH', `/api/users/${disabled.user.id}`, { disabled: true })).statusCode).toBe(200);
    expect((await me(a, disabled.accessToken)).statusCode).toBe(401);
    expect(await refusedWithin(() => me(b, disabled.accessToken))).toEqual([401, { ok: false, error: 'Session revoked' }]);

    // A role is read with the session: an admin made a user again loses the admin routes everywhere.
    const promoted = await registerUser(a.app, admin.accessToken);
    expect((await asAdmin('PATCH', `/api/users/${promoted.user.id}`, { role: 'admin' })).statusCode).toBe(200);
    const listUsers = (p: Process) => p.app.inject({ method: 'GET', url: '/api/users', headers: bearer(promoted.accessToken) });
    for (const p of [a, b]) expect((await listUsers(p)).statusCode).toBe(200);
    expect((await asAdmin('PATCH', `/api/users/${promoted.user.id}`, { role: 'user' })).statusCode).toBe(200);
    expect((await listUsers(a)).statusCode).toBe(403);
    expect(await refusedWithin(() => listUsers(b))).toEqual([403, { ok: false, error: 'Insufficient permissions' }]);
  });

  it('`mediaos user disable` on the console reaches a running server within 2 s', async () => {
    const [a] = await start();
    const admin = await registerAdmin(a.app);
    const user = await registerUser(a.app, admin.accessToken);
    expect((await me(a, user.accessToken)).statusCode).toBe(200);
    const cli = await runCli(['user', 'disable', user.user.email], {
      DATABASE_URL: a.ctx.db.target.location,
      DATABASE_SCHEMA: a.ctx.db.target.pgSchema,
      MEDIAOS_DATA_DIR: first!.dir,
      MEDIAOS_CONFIG_DIR: first!.configDir,
      JWT_SECRET: TEST_JWT_SECRET,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    });
    expect(cli.code, cli.err).toBe(0);
    expect(await refusedWithin(() => me(a, user.accessToken))).toEqual([401, { ok: false, error: 'Session revoked' }]);
  });

  it('while the LISTEN connection is down, every request reads the database; once it is back the cache is used again', async () => {
    const [a] = await start({}, 3000);
    const admin = await registerAdmin(a.app);
    const user = await registerUser(a.app, admin.accessToken);
    expect((await me(a, user.accessToken)).statusCode).toBe(200);
    const killed = await sql<{
      n: number;
    }>`select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where query = ${`LISTEN "${channelName(a.ctx.db.target.pgSchema)}"`}`.execute(
      a.ctx.db.kysely,
    );
    expect(killed.rows[0].n).toBe(2);
    await until(() => !a.signals.listening());
    // Read while deaf: it must not be kept either.
    expect((await me(a, user.accessToken)).statusCode).toBe(200);
    await revokeInDatabase(a, user.accessToken);
    expect((await me(a, user.accessToken)).json()).toEqual({ ok: false, error: 'Session revoked' });
    // Listening again (reconnected): a new session is kept again.
    await until(() => a.signals.listening(), 10_000);
    const again = await a.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: admin.user.email, password: 'Admin#Pass-2024' } });
    const token = again.json().accessToken as string;
    expect((await me(a, token)).statusCode).toBe(200);
    await revokeInDatabase(a, token);
    expect((await me(a, token)).statusCode).toBe(200);
  });

  it('keeps at most `max` sessions, the least recently used going first', async () => {
    const [a] = await start();
    const admin = await registerAdmin(a.app);
    const cache = createSessionCache({ ttlMs: 60_000, max: 2 });
    detach.push(cache.attach(a.signals));
    const reads: string[] = [];
    const sessions = a.ctx.stores.sessions;
    const tokens = [admin.accessToken];
    for (let i = 0; i < 2; i++) {
      const login = await a.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: admin.user.email, password: 'Admin#Pass-2024' } });
      tokens.push(login.json().accessToken);
    }
    const read = (token: string) =>
      cache.read(sidOf(token), admin.user.id, async () => {
        reads.push(sidOf(token));
        return sessions.getWithUser!(sidOf(token), admin.user.id);
      });
    const [t0, t1, t2] = tokens;
    await read(t0);
    await read(t1);
    await read(t0); // t0 is now the most recently used
    await read(t2); // evicts t1
    expect(cache.size()).toBe(2);
    await read(t0);
    await read(t1);
    expect(reads).toEqual([t0, t1, t2, t1].map(sidOf));
  });
});

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
