import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, createContext } from '../../src/app.js';
import { WANTED_SEARCH_JOB_TYPE } from '../../src/automation/wanted-search.js';
import { restartDelayMs } from '../../src/cli/serve-workers.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/connect.js';
import { createJobsSql } from '../../src/jobs/jobs.sql.js';
import { startFake } from '../download-clients/fakes.js';
import { createTestApp } from '../helpers/app.js';
import { pgUrl, sqlEngines, tempDir } from '../helpers/engines.js';
import { CAPS_XML, feedXml, TORZNAB_KEY } from '../indexer-clients/torznab-server.js';
import { createPgDatabase, freePort, root } from '../scale/cluster.js';

const password = 'Correct-Horse-9-Battery';
const METRICS_TOKEN = 'metrics-token-0123456789abcdef-0123456789';
const SHUTDOWN_SECONDS = 20;

/** One request on a connection of its own, so the primary hands it to the next worker in turn. */
function send(url: string, opts: { method?: string; token?: string; body?: unknown } = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = httpRequest(
      url,
      {
        agent: false,
        method: opts.method ?? 'GET',
        headers: {
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.end(payload);
  });
}

/**
 * The pid of the worker that answered a /metrics scrape, and its own count of answered requests
 * (all of them, or those of one route and status).
 */
async function scrape(url: string, only?: { route: string; status: number }): Promise<{ pid: number; requests: number }> {
  const r = await send(`${url}/metrics`, { token: METRICS_TOKEN });
  expect(r.status, r.text).toBe(200);
  const pid = Number(/^mediaos_process_info\{pid="(\d+)"\} 1$/m.exec(r.text)?.[1]);
  let requests = 0;
  for (const m of r.text.matchAll(/^mediaos_http_requests_total\{([^}]*)\} (\d+)$/gm)) {
    if (!only || (m[1].includes(`route="${only.route}"`) && m[1].includes(`status="${only.status}"`))) requests += Number(m[2]);
  }
  return { pid, requests };
}

/**
 * Sends `request` on new connections, two at a time between scrapes, until both workers have
 * answered it (per their own /metrics counts of `route` with `status`); returns those counts.
 */
async function reachBoth(url: string, request: () => Promise<void>, route: string, status: number): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (let i = 0; i < 10 && [...counts.values()].filter((n) => n > 0).length < 2; i++) {
    await request();
    await request();
    const s = await scrape(url, { route, status });
    counts.set(s.pid, s.requests);
  }
  return counts;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Cluster {
  url: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** `bin/mediaos serve --workers 2` on a free 127.0.0.1 port; resolves once the primary says every worker listens. */
async function startCluster(env: Record<string, string>, cwd: string, args = ['--workers', '2']): Promise<Cluster> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const child = spawn(process.execPath, [join(root, 'bin/mediaos'), 'serve', ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { url: `http://127.0.0.1:${port}`, child, output: () => out, exited };
}

describe('MEDIAOS_WORKERS', () => {
  it('defaults to one process and takes 1-64', () => {
    expect(loadConfig({}, '/tmp').workers).toBe(1);
    expect(loadConfig({ MEDIAOS_WORKERS: '4' }, '/tmp').workers).toBe(4);
    expect(() => loadConfig({ MEDIAOS_WORKERS: '65' }, '/tmp')).toThrow('MEDIAOS_WORKERS must be an integer from 1 to 64 (got "65")');
  });
});

describe('serve --workers: restart backoff', () => {
  it('doubles from 1 s up to 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(restartDelayMs)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });
});

describe.skipIf(!sqlEngines().includes('sqlite'))('serve --workers: the request rate limit on SQLite', () => {
  /** Two apps on one SQLite database, as two workers are; returns the statuses of four requests alternating between them. */
  async function alternate(env: Record<string, string>): Promise<number[]> {
    const first = await createTestApp({ engine: 'sqlite', env: { RATE_LIMIT_MAX: '3', ...env } });
    const silent = { warn() {}, info() {}, error() {} };
    const second = await buildApp(await createContext(first.ctx.config, first.ctx.db, silent), { runJobs: false });
    try {
      const statuses: number[] = [];
      for (const app of [first.app, second, first.app, second]) statuses.push((await app.inject({ method: 'GET', url: '/api/auth/status' })).statusCode);
      return statuses;
    } finally {
      await second.close();
      await first.close();
    }
  }

  it('is counted in the database with several workers: the limit holds across them', async () => {
    expect(await alternate({ MEDIAOS_WORKERS: '2' })).toEqual([200, 200, 200, 429]);
  });

  it('stays in memory with one process (no write per request)', async () => {
    expect(await alternate({})).toEqual([200, 200, 200, 200]);
  });
});

describe('serve --workers: refused outside storage phase db', () => {
  it('names the phase and what to do, and starts nothing', async () => {
    expect(existsSync(join(root, 'dist/cli.js')), 'run npm run build first').toBe(true);
    const dirs = tempDir();
    try {
      const c = await startCluster({ MEDIAOS_DATA_DIR: join(dirs.dir, 'data'), MEDIAOS_STORAGE_PHASE: 'dual-read-db' }, dirs.dir);
      expect(await c.exited).toBe(1);
      expect(c.output()).toContain(
        '--workers 2 (MEDIAOS_WORKERS) needs storage phase db, but this instance runs in phase dual-read-db (MEDIAOS_STORAGE_PHASE)',
      );
      expect(c.output()).toContain('mediaos phase set db');
      expect(c.output()).not.toContain('listening');
    } finally {
      dirs.cleanup();
    }
  }, 60_000);

  it("stops with the worker's own error when the workers cannot listen (port in use)", async () => {
    const dirs = tempDir();
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (taken.address() as { port: number }).port;
      const c = await startCluster({ MEDIAOS_DATA_DIR: join(dirs.dir, 'data'), PORT: String(port), MEDIAOS_BACKUP_INTERVAL_HOURS: '0' }, dirs.dir);
      expect(await c.exited).toBe(1);
      expect(c.output()).toMatch(/error: worker \d could not start: port \d+ on 127\.0\.0\.1 is already in use/);
      expect(c.output()).not.toContain('MediaOS serving with');
    } finally {
      taken.close();
      dirs.cleanup();
    }
  }, 90_000);

  it('workers whose primary was killed drain and exit by themselves', async () => {
    const dirs = tempDir();
    let workerPids: number[] = [];
    try {
      const c = await startCluster({ MEDIAOS_DATA_DIR: join(dirs.dir, 'data'), MEDIAOS_BACKUP_INTERVAL_HOURS: '0' }, dirs.dir);
      const line = await until(
        'the workers to listen',
        () => {
          if (c.child.exitCode !== null) throw new Error(`serve --workers exited: ${c.output()}`);
          return /\(worker:pid 1:(\d+) 2:(\d+);/.exec(c.output()) ?? undefined;
        },
        90_000,
      );
      workerPids = [Number(line[1]), Number(line[2])];
      c.child.kill('SIGKILL');
      await c.exited;
      await until('both workers to exit', () => workerPids.every((pid) => !alive(pid)) || undefined);
    } finally {
      for (const pid of workerPids) if (alive(pid)) process.kill(pid, 'SIGKILL');
      dirs.cleanup();
    }
  }, 120_000);

  it('refuses a bad --workers value', async () => {
    const dirs = tempDir();
    try {
      const c = await startCluster({ MEDIAOS_DATA_DIR: join(dirs.dir, 'data') }, dirs.dir, ['--workers', '0']);
      expect(await c.exited).not.toBe(0);
      expect(c.output()).toContain('--workers must be an integer from 1 to 64 (got "0")');
    } finally {
      dirs.cleanup();
    }
  }, 60_000);
});

/** A queued missing-items sweep, written through the queue's own SQL (as the server queues it). */
const missingSearchJob = (id: string, now: string) => ({ id, type: 'wanted.search-missing', payload: null, maxAttempts: 3, runAt: now, createdAt: now });

for (const engine of sqlEngines()) {
  describe(`serve --workers 2 (${engine})`, () => {
    let c: Cluster;
    let dirs: ReturnType<typeof tempDir>;
    let pgDb: { url: string; drop: () => Promise<void> } | undefined;
    let databaseUrl: string;
    let token: string;
    const email = 'admin@example.org';
    let pids: number[] = [];
    /** The test's own handle on the cluster's database (SQLite: another process's connection, WAL). */
    const openTestHandle = () =>
      openDatabase(engine === 'sqlite' ? { engine, location: databaseUrl.slice('sqlite:'.length) } : { engine, location: databaseUrl, pgPoolMax: 2 });

    beforeAll(async () => {
      expect(existsSync(join(root, 'dist/cli.js')), 'run npm run build first').toBe(true);
      dirs = tempDir();
      if (engine === 'postgres') pgDb = await createPgDatabase(pgUrl());
      databaseUrl = pgDb?.url ?? `sqlite:${join(dirs.dir, 'data', 'mediaos.db')}`;
      c = await startCluster(
        {
          DATABASE_URL: databaseUrl,
          MEDIAOS_DATA_DIR: join(dirs.dir, 'data'),
          MEDIAOS_CONFIG_DIR: join(dirs.dir, 'config'),
          // No JWT_SECRET / ENCRYPTION_KEY: the instance generates them once (secrets.json) and every worker signs with the same.
          MEDIAOS_METRICS_TOKEN: METRICS_TOKEN,
          RATE_LIMIT_MAX: '0',
          MEDIAOS_BACKUP_INTERVAL_HOURS: '0',
          MEDIAOS_MISSING_SEARCH_HOURS: '0',
          MEDIAOS_TRACK_SECONDS: '0',
          MEDIAOS_SHUTDOWN_TIMEOUT_SECONDS: String(SHUTDOWN_SECONDS),
          MEDIAOS_PG_POOL_MAX: '4',
        },
        dirs.dir,
      );
      const line = await until(
        'the workers to listen',
        () => {
          if (c.child.exitCode !== null) throw new Error(`serve --workers exited: ${c.output()}`);
          return /MediaOS serving with 2 workers .*\(worker:pid 1:(\d+) 2:(\d+);/.exec(c.output()) ?? undefined;
        },
        90_000,
      );
      pids = [Number(line[1]), Number(line[2])];
      const reg = await send(`${c.url}/api/auth/register`, { method: 'POST', body: { email, password } });
      expect(reg.status, reg.text).toBe(200);
      token = JSON.parse(reg.text).accessToken;
    }, 120_000);

    afterAll(async () => {
      if (c && c.child.exitCode === null) {
        c.child.kill('SIGKILL');
        for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
      }
      await pgDb?.drop();
      dirs?.cleanup();
    }, 30_000);

    it('answers from both workers (each scrape of /metrics names the pid that answered)', async () => {
      for (let i = 0; i < 10; i++) expect((await send(`${c.url}/api/health`)).status).toBe(200);
      const seen = new Map<number, number>();
      for (let i = 0; i < 10; i++) {
        const s = await scrape(c.url);
        seen.set(s.pid, s.requests);
      }
      expect([...seen.keys()].sort()).toEqual([...pids].sort());
      for (const requests of seen.values()) expect(requests).toBeGreaterThan(0);
    }, 60_000);

    it('a login on one worker holds on the other; a logout on one is refused on both (the other within 2 s)', async () => {
      const login = await send(`${c.url}/api/auth/login`, { method: 'POST', body: { email, password } });
      expect(login.status, login.text).toBe(200);
      const session = JSON.parse(login.text).accessToken as string;
      // The primary hands new connections to the workers in turn: requests on new connections reach both.
      const ok = await reachBoth(c.url, async () => expect((await send(`${c.url}/api/auth/me`, { token: session })).status).toBe(200), '/api/auth/me', 200);
      expect([...ok.keys()].sort()).toEqual([...pids].sort());
      expect((await send(`${c.url}/api/auth/logout`, { method: 'POST', token: session, body: {} })).status).toBe(200);
      const refused = await reachBoth(
        c.url,
        async () => {
          // On PostgreSQL the other worker may have the session in its cache: the logout's notice
          // drops it there (auth/session-cache.ts), a few milliseconds later. Allowed 2 s.
          const me = await until(
            'the logout to reach every worker',
            async () => {
              const r = await send(`${c.url}/api/auth/me`, { token: session });
              return r.status === 401 ? r : undefined;
            },
            2000,
          );
          expect(JSON.parse(me.text).error).toBe('Session revoked');
        },
        '/api/auth/me',
        401,
      );
      expect(
        [...refused.entries()]
          .filter(([, n]) => n > 0)
          .map(([pid]) => pid)
          .sort(),
      ).toEqual([...pids].sort());
    }, 60_000);

    it('takes 200 concurrent writes spread over both workers with 0 errors, each stored once', async () => {
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => send(`${c.url}/api/library`, { method: 'POST', token, body: { kind: 'movie', title: `Concurrent ${i}` } })),
      );
      expect(results.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.text}`)).toEqual([]);
      const list = JSON.parse((await send(`${c.url}/api/library?limit=500&q=Concurrent`, { token })).text);
      expect(list.total).toBe(200);
    }, 90_000);

    it('runs each queued job exactly once, all of them in worker 1', async () => {
      // Each job searches a local indexer that holds its answer until the test has looked at the
      // running jobs: every job is seen running, with the worker that holds it, before it may end.
      const held: ServerResponse[] = [];
      const indexer = await startFake((req, res) => {
        const t = req.query.get('t');
        if (t === 'caps') return void res.writeHead(200, { 'content-type': 'application/xml' }).end(CAPS_XML);
        held.push(res);
      });
      const release = (n: number) => {
        for (const res of held.splice(0, n)) res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(feedXml(indexer.url, []));
      };
      const db = openTestHandle();
      let indexerId: string | undefined;
      try {
        const ix = await send(`${c.url}/api/indexers`, {
          method: 'POST',
          token,
          body: { name: 'Held', type: 'torrent', url: `${indexer.url}/held`, apiKey: TORZNAB_KEY },
        });
        expect(ix.status, ix.text).toBe(200);
        indexerId = String(JSON.parse(ix.text).id);
        const wanted = await send(`${c.url}/api/wanted`, { method: 'POST', token, body: { id: 'held-1', title: 'Alien', kind: 'movies' } });
        expect(wanted.status, wanted.text).toBe(200);
        const now = new Date().toISOString();
        const ids = Array.from({ length: 12 }, () => randomBytes(16).toString('hex'));
        const jobs = createJobsSql(db.kysely, engine);
        const payload = { kind: 'movies', id: 'held-1', enqueue: false };
        await Promise.all(ids.map((id) => jobs.insert({ id, type: WANTED_SEARCH_JOB_TYPE, payload, maxAttempts: 3, runAt: now, createdAt: now })));
        const seen = new Map<string, string>();
        await until('every job to finish', async () => {
          // Searches held before this read belong to jobs that are running now.
          const waiting = held.length;
          const running = await db.kysely.selectFrom('jobs').select(['id', 'locked_by']).where('status', '=', 'running').where('id', 'in', ids).execute();
          for (const r of running) if (r.locked_by) seen.set(r.id, r.locked_by);
          release(waiting);
          const left = await db.kysely.selectFrom('jobs').select('id').where('id', 'in', ids).where('status', '!=', 'completed').execute();
          return left.length === 0 || undefined;
        });
        const rows = await db.kysely.selectFrom('jobs').select(['id', 'status', 'attempts']).where('id', 'in', ids).execute();
        expect(rows).toHaveLength(ids.length);
        for (const r of rows) expect(r, r.id).toMatchObject({ status: 'completed', attempts: 1 });
        // Every job was seen running, and one job worker (worker 1's) held them all.
        expect([...seen.keys()].sort()).toEqual([...ids].sort());
        expect(new Set(seen.values()).size).toBe(1);
      } finally {
        release(held.length);
        await send(`${c.url}/api/wanted/movies/held-1`, { method: 'DELETE', token });
        if (indexerId) await send(`${c.url}/api/indexers/${indexerId}`, { method: 'DELETE', token });
        await db.close();
        await indexer.close();
      }
    }, 90_000);

    it('restarts a worker that died, logging it, and keeps answering', async () => {
      const [, second] = pids;
      process.kill(second, 'SIGKILL');
      await until('the restart to be logged', () => c.output().includes('worker 2 exited (SIGKILL); restarting it in 1000 ms') || undefined);
      const replacement = await until('the replacement to answer', async () => {
        const s = await scrape(c.url);
        return s.pid !== pids[0] && s.pid !== second ? s.pid : undefined;
      });
      expect(alive(replacement)).toBe(true);
      pids = [pids[0], replacement];
      for (let i = 0; i < 4; i++) expect((await send(`${c.url}/api/health`)).status).toBe(200);
    }, 60_000);

    it('restarts the jobs worker in its role: a job queued after the crash runs once', async () => {
      const [first] = pids;
      process.kill(first, 'SIGKILL');
      await until('the restart to be logged', () => c.output().includes('worker 1 exited (SIGKILL); restarting it in 1000 ms') || undefined);
      const replacement = await until('the replacement to answer', async () => {
        const s = await scrape(c.url);
        return s.pid !== first && s.pid !== pids[1] ? s.pid : undefined;
      });
      pids = [replacement, pids[1]];
      const db = openTestHandle();
      try {
        const id = randomBytes(16).toString('hex');
        const now = new Date().toISOString();
        await createJobsSql(db.kysely, engine).insert(missingSearchJob(id, now));
        const row = await until('the job to complete', async () => {
          const r = await db.kysely.selectFrom('jobs').select(['status', 'attempts']).where('id', '=', id).executeTakeFirstOrThrow();
          return r.status === 'completed' ? r : undefined;
        });
        expect(row).toEqual({ status: 'completed', attempts: 1 });
      } finally {
        await db.close();
      }
    }, 60_000);

    it(
      'SIGTERM drains and stops every worker within the deadline (exit 0)',
      async () => {
        c.child.kill('SIGTERM');
        const code = await c.exited;
        expect(c.output()).toContain('SIGTERM: shutting down 2 workers');
        expect(c.output()).toMatch(/stopped in \d+ ms/);
        expect(code).toBe(0);
        for (const pid of pids) expect(alive(pid), `worker ${pid}`).toBe(false);
      },
      (SHUTDOWN_SECONDS + 15) * 1000,
    );
  });
}
