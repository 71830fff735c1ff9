import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgUrl, sqlEngines, tempDir } from '../helpers/engines.js';
import { api, createPgDatabase, getOnNewConnection, root, type ServerProcess, startServe } from './cluster.js';

const LOGIN_LIMIT = 4;
const password = 'Correct-Horse-9-Battery';

/**
 * Three real server processes on one PostgreSQL database of their own (issue 19): whatever one
 * process decides (a logout, failed logins, a claimed job, an event), the others know at once.
 */
describe.skipIf(!sqlEngines().includes('postgres'))('three server processes on one PostgreSQL database', () => {
  let servers: ServerProcess[] = [];
  let db: { url: string; drop: () => Promise<void> };
  let dirs: ReturnType<typeof tempDir>;
  let token: string;
  let email: string;

  beforeAll(async () => {
    expect(existsSync(join(root, 'dist/cli.js')), 'run npm run build first').toBe(true);
    db = await createPgDatabase(pgUrl());
    dirs = tempDir();
    const env = {
      DATABASE_URL: db.url,
      JWT_SECRET: randomBytes(24).toString('hex'),
      ENCRYPTION_KEY: randomBytes(24).toString('hex'),
      MEDIAOS_LOGIN_RATE_LIMIT: String(LOGIN_LIMIT),
      RATE_LIMIT_MAX: '0',
      MEDIAOS_BACKUP_INTERVAL_HOURS: '0',
      MEDIAOS_MISSING_SEARCH_HOURS: '0',
      MEDIAOS_TRACK_SECONDS: '0',
      MEDIAOS_AUTO_IMPORT: 'false',
      MEDIAOS_PG_POOL_MAX: '10',
    };
    // The first one migrates the new database; the others find it ready.
    servers.push(await startServe({ ...env, MEDIAOS_DATA_DIR: join(dirs.dir, 'a') }, dirs.dir));
    servers.push(...(await Promise.all(['b', 'c'].map((n) => startServe({ ...env, MEDIAOS_DATA_DIR: join(dirs.dir, n) }, dirs.dir)))));
    email = 'admin@example.org';
    const reg = await api(servers[0].url, 'POST', '/api/auth/register', { email, password });
    expect(reg.status, JSON.stringify(reg.body)).toBe(200);
    token = reg.body.accessToken;
    for (let i = 0; i < 30; i++) {
      const r = await api(servers[i % 3].url, 'POST', '/api/library', { kind: 'movie', title: `Film ${i}` }, token);
      expect(r.body.ok).toBe(true);
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    servers = [];
    await db?.drop();
    dirs?.cleanup();
  }, 30_000);

  it('answers 1,000 connections spread over the three with 0 errors, each seeing every item', async () => {
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => getOnNewConnection(`${servers[i % 3].url}/api/library?limit=100`, token)));
    const errors = results.filter((r) => r !== 200);
    expect(errors).toEqual([]);
    for (const s of servers) {
      const list = await api(s.url, 'GET', '/api/library?limit=100', undefined, token);
      expect(list.body.items).toHaveLength(30);
    }
  }, 60_000);

  it('refuses a session logged out on one process there at once, and on the others within 2 s', async () => {
    const login = await api(servers[1].url, 'POST', '/api/auth/login', { email, password });
    expect(login.status).toBe(200);
    const session = login.body.accessToken as string;
    for (const s of servers) expect((await api(s.url, 'GET', '/api/auth/me', undefined, session)).status).toBe(200);
    expect((await api(servers[2].url, 'POST', '/api/auth/logout', {}, session)).status).toBe(200);
    const here = await api(servers[2].url, 'GET', '/api/auth/me', undefined, session);
    expect(here.status).toBe(401);
    // The others kept the checked session (auth/session-cache.ts) until the logout's notice drops it.
    for (const s of servers) {
      let me = await api(s.url, 'GET', '/api/auth/me', undefined, session);
      for (const end = Date.now() + 2000; me.status === 200 && Date.now() < end; ) {
        await new Promise((r) => setTimeout(r, 20));
        me = await api(s.url, 'GET', '/api/auth/me', undefined, session);
      }
      expect(me.status).toBe(401);
      expect(me.body.error).toBe('Session revoked');
    }
    // The refresh token of that session is refused everywhere too.
    expect((await api(servers[0].url, 'POST', '/api/auth/refresh', { refreshToken: login.body.refreshToken })).status).toBe(401);
  });

  it('counts failed logins spread over the processes as one limit', async () => {
    const victim = 'user2@example.org';
    expect((await api(servers[0].url, 'POST', '/api/auth/register', { email: victim, password }, token)).status).toBe(200);
    for (let i = 0; i < LOGIN_LIMIT; i++) {
      const r = await api(servers[i % 3].url, 'POST', '/api/auth/login', { email: victim, password: 'Wrong-Password-1!' });
      expect(r.status).toBe(401);
    }
    // The limit is reached after LOGIN_LIMIT failures in all: every process now refuses, even the right password.
    for (const s of servers) {
      const r = await api(s.url, 'POST', '/api/auth/login', { email: victim, password });
      expect(r.status).toBe(429);
    }
  });

  it('runs each queued job exactly once, on whichever process claims it', async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const ids = Array.from({ length: 24 }, () => randomBytes(16).toString('hex'));
      const now = new Date().toISOString();
      for (const id of ids) {
        await c.query(
          `insert into jobs (id, type, payload, status, attempts, max_attempts, run_at, created_at, updated_at) values ($1, 'wanted.search-missing', 'null', 'queued', 0, 3, $2, $2, $2)`,
          [id, now],
        );
      }
      let rows: { id: string; status: string; attempts: number }[] = [];
      for (let i = 0; i < 200; i++) {
        rows = (await c.query('select id, status, attempts from jobs where id = any($1)', [ids])).rows;
        if (rows.every((r) => r.status === 'completed')) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(rows).toHaveLength(ids.length);
      for (const r of rows) expect(r, r.id).toMatchObject({ status: 'completed', attempts: 1 });
    } finally {
      await c.end();
    }
  }, 30_000);

  it('streams an event published on one process to a client of another (SSE)', async () => {
    const controller = new AbortController();
    const res = await fetch(`${servers[2].url}/api/events`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = '';
    const seen = (async () => {
      while (!text.includes('event: job.queued')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
    })();
    // A verify job queued through process A (its worker may also run it; the queued event is what we wait for).
    const queued = await api(servers[0].url, 'POST', '/api/verify/jobs', { kind: 'movie', id: 'film-1', title: 'Film 1' }, token);
    expect(queued.status, JSON.stringify(queued.body)).toBeLessThan(300);
    await Promise.race([seen, new Promise((r) => setTimeout(r, 5000))]);
    controller.abort();
    expect(text).toContain('event: job.queued');
  });
});
