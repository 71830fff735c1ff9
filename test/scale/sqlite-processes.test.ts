import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlEngines, tempDir } from '../helpers/engines.js';
import { api, root, type ServerProcess, startServe } from './cluster.js';

const password = 'Correct-Horse-9-Battery';

/** An SSE client of GET /api/events that keeps what it read. */
async function openStream(url: string, token: string) {
  const controller = new AbortController();
  const res = await fetch(`${url}/api/events`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  let text = '';
  const reading = (async () => {
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  })();
  return {
    /** Whether an event of this type naming this job arrived. */
    has: (type: string, jobId: string) => text.split('\n\n').some((e) => e.includes(`event: ${type}\n`) && e.includes(jobId)),
    async close() {
      controller.abort();
      await reading;
    },
  };
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Real `mediaos serve` processes on one SQLite file: a lone one keeps its events to itself (no
 * outbox row on the one writer, no polling); with a second one present, events cross both ways;
 * once the second has stopped, the first writes no more rows.
 */
describe.skipIf(!sqlEngines().includes('sqlite'))('server processes on one SQLite file', () => {
  let a: ServerProcess | undefined;
  let b: ServerProcess | undefined;
  let dirs: ReturnType<typeof tempDir>;
  let env: Record<string, string>;
  let token: string;
  let file: string;

  const outboxRows = () => {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('select count(*) as n from event_outbox').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  /** Queues a verify job through `server` and returns its id (the job's events carry it). */
  const queueJob = async (server: ServerProcess) => {
    const r = await api(server.url, 'POST', '/api/verify/jobs', { kind: 'movie', id: 'film-1', title: 'Film 1' }, token);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.jobId as string;
  };
  /** Queues a job through `server` and waits until `server`'s own stream saw it finish (its events were all published). */
  const runJob = async (server: ServerProcess, stream: Awaited<ReturnType<typeof openStream>>) => {
    const id = await queueJob(server);
    await until(() => stream.has('job.completed', id) || stream.has('job.failed', id), `job ${id} to finish`);
    return id;
  };

  beforeAll(async () => {
    expect(existsSync(join(root, 'dist/cli.js')), 'run npm run build first').toBe(true);
    dirs = tempDir();
    file = join(dirs.dir, 'data', 'mediaos.db');
    env = {
      MEDIAOS_DATA_DIR: join(dirs.dir, 'data'),
      JWT_SECRET: randomBytes(24).toString('hex'),
      ENCRYPTION_KEY: randomBytes(24).toString('hex'),
      RATE_LIMIT_MAX: '0',
      MEDIAOS_BACKUP_INTERVAL_HOURS: '0',
      MEDIAOS_MISSING_SEARCH_HOURS: '0',
      MEDIAOS_TRACK_SECONDS: '0',
      MEDIAOS_AUTO_IMPORT: 'false',
    };
    a = await startServe(env, dirs.dir);
    const reg = await api(a.url, 'POST', '/api/auth/register', { email: 'admin@example.org', password });
    expect(reg.status, JSON.stringify(reg.body)).toBe(200);
    token = reg.body.accessToken;
  }, 60_000);

  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    dirs?.cleanup();
  }, 30_000);

  it('a lone process publishes its events to its own streams and writes no outbox row', async () => {
    const own = await openStream(a!.url, token);
    try {
      const id = await runJob(a!, own);
      expect(own.has('job.queued', id)).toBe(true);
      expect(outboxRows()).toBe(0);
    } finally {
      await own.close();
    }
  }, 30_000);

  it('with a second process on the file, events cross both ways; after it stops, the first writes no more rows', async () => {
    b = await startServe(env, dirs.dir);
    const onA = await openStream(a!.url, token);
    const onB = await openStream(b.url, token);
    try {
      // B saw A at its start; A sees B within its presence period (1 s): until then its events stay home.
      let fromA = '';
      await until(async () => {
        fromA = await queueJob(a!);
        await new Promise((r) => setTimeout(r, 300));
        return onB.has('job.queued', fromA);
      }, "an event of A on B's stream");
      expect(outboxRows()).toBeGreaterThan(0);
      const fromB = await queueJob(b);
      await until(() => onA.has('job.queued', fromB), "B's event on A's stream");

      await onB.close();
      await b.stop();
      b = undefined;
      // Once A has seen B leave, a whole job (queued, started, finished) adds no row.
      await until(async () => {
        const before = outboxRows();
        await runJob(a!, onA);
        return outboxRows() === before;
      }, 'A to stop writing outbox rows');
    } finally {
      await onA.close();
      await onB.close();
    }
  }, 60_000);
});
