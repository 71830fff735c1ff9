import { afterEach, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/connect.js';
import { createJobQueue } from '../../src/jobs/jobs.queue.js';
import { createJobsSql } from '../../src/jobs/jobs.sql.js';
import { type JobHandlers, PermanentJobError } from '../../src/jobs/jobs.types.js';
import { createJobWorker } from '../../src/jobs/jobs.worker.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';

const silent = { warn() {}, info() {}, error() {} };

/** A clock the test moves by hand. */
function manualClock(start = '2025-01-01T00:00:00.000Z') {
  let t = new Date(start).getTime();
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

async function until(cond: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}

for (const engine of sqlEngines()) {
  describe(`job queue (${engine})`, () => {
    let t: TestDatabase | undefined;
    const extra: Database[] = [];
    afterEach(async () => {
      for (const d of extra.splice(0)) await d.close();
      await t?.cleanup();
      t = undefined;
    });

    it('runs an enqueued job with the handler of its type and stores its result', async () => {
      t = await createTestDatabase(engine);
      const clock = manualClock();
      const sql = createJobsSql(t.db.kysely, engine);
      const queue = createJobQueue({ sql, now: clock.now });
      const seen: unknown[] = [];
      const worker = createJobWorker({
        sql,
        handlers: {
          echo: async (p) => {
            seen.push(p);
            return { echoed: p };
          },
        },
        log: silent,
        now: clock.now,
      });
      const id = await queue.enqueue('echo', { a: 1 });
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect(await queue.get(id)).toMatchObject({ status: 'queued', attempts: 0, maxAttempts: 3, runAt: '2025-01-01T00:00:00.000Z' });
      expect((await worker.runOnce())?.status).toBe('completed');
      expect(seen).toEqual([{ a: 1 }]);
      expect(await queue.get(id)).toMatchObject({ status: 'completed', attempts: 1, result: { echoed: { a: 1 } } });
      const done = await queue.get(id);
      expect(done?.lockedBy).toBeUndefined();
      expect(await worker.runOnce()).toBeUndefined();
    });

    it('does not run a job before its run_at', async () => {
      t = await createTestDatabase(engine);
      const clock = manualClock();
      const sql = createJobsSql(t.db.kysely, engine);
      const queue = createJobQueue({ sql, now: clock.now });
      const worker = createJobWorker({ sql, handlers: { x: async () => 'ok' }, log: silent, now: clock.now });
      await queue.enqueue('x', null, { runAt: new Date(clock.now().getTime() + 60_000) });
      expect(await worker.runOnce()).toBeUndefined();
      clock.advance(60_000);
      expect((await worker.runOnce())?.status).toBe('completed');
    });

    it('two workers on separate connections run each of 50 jobs exactly once', async () => {
      t = await createTestDatabase(engine);
      const second = openDatabase(t.target);
      extra.push(second);
      const runs = new Map<number, string[]>();
      const handlersFor = (name: string): JobHandlers => ({
        count: async (p) => {
          const n = (p as { n: number }).n;
          runs.set(n, [...(runs.get(n) ?? []), name]);
          await new Promise((r) => setImmediate(r));
          return n;
        },
      });
      const sqlA = createJobsSql(t.db.kysely, engine);
      const sqlB = createJobsSql(second.kysely, engine);
      const queue = createJobQueue({ sql: sqlA });
      for (let n = 0; n < 50; n++) await queue.enqueue('count', { n });
      const a = createJobWorker({ sql: sqlA, handlers: handlersFor('a'), log: silent, pollMs: 5, recoverOnStart: false });
      const b = createJobWorker({ sql: sqlB, handlers: handlersFor('b'), log: silent, pollMs: 5, recoverOnStart: false });
      await Promise.all([a.start(), b.start()]);
      try {
        await until(async () => (await sqlA.countByStatus()).completed === 50, '50 completed jobs');
      } finally {
        await Promise.all([a.stop(), b.stop()]);
      }
      expect(runs.size).toBe(50);
      for (const [, who] of runs) expect(who).toHaveLength(1);
      expect(await sqlA.countByStatus()).toEqual({ queued: 0, running: 0, completed: 50, failed: 0 });
    });

    it('retries a failing job with backoff up to max_attempts, then fails it', async () => {
      t = await createTestDatabase(engine);
      const clock = manualClock();
      const sql = createJobsSql(t.db.kysely, engine);
      const queue = createJobQueue({ sql, now: clock.now });
      let calls = 0;
      const worker = createJobWorker({
        sql,
        handlers: {
          flaky: async () => {
            calls += 1;
            if (calls < 3) throw new Error(`attempt ${calls} failed`);
            return 'third time';
          },
          broken: async () => {
            throw new Error('always');
          },
        },
        log: silent,
        now: clock.now,
      });
      const id = await queue.enqueue('flaky', {});
      expect((await worker.runOnce())?.status).toBe('queued');
      expect(await queue.get(id)).toMatchObject({ status: 'queued', attempts: 1, error: 'attempt 1 failed', runAt: '2025-01-01T00:00:05.000Z' });
      expect(await worker.runOnce()).toBeUndefined(); // not due yet
      clock.advance(5000);
      expect((await worker.runOnce())?.status).toBe('queued');
      expect(await queue.get(id)).toMatchObject({ attempts: 2, runAt: '2025-01-01T00:00:15.000Z' });
      clock.advance(10_000);
      expect((await worker.runOnce())?.status).toBe('completed');
      expect(await queue.get(id)).toMatchObject({ status: 'completed', attempts: 3, result: 'third time' });

      const id2 = await queue.enqueue('broken', {}, { maxAttempts: 2 });
      await worker.runOnce();
      clock.advance(60_000);
      expect((await worker.runOnce())?.status).toBe('failed');
      expect(await queue.get(id2)).toMatchObject({ status: 'failed', attempts: 2, error: 'always' });
    });

    it('fails at once on a permanent error or an unknown job type', async () => {
      t = await createTestDatabase(engine);
      const sql = createJobsSql(t.db.kysely, engine);
      const queue = createJobQueue({ sql });
      const worker = createJobWorker({
        sql,
        handlers: {
          bad: async () => {
            throw new PermanentJobError('cannot work');
          },
        },
        log: silent,
      });
      const a = await queue.enqueue('bad', {});
      const b = await queue.enqueue('nobody-handles-this', {});
      await worker.runOnce();
      await worker.runOnce();
      expect(await queue.get(a)).toMatchObject({ status: 'failed', attempts: 1, error: 'cannot work' });
      expect(await queue.get(b)).toMatchObject({ status: 'failed', attempts: 1, error: 'no handler for job type "nobody-handles-this"' });
    });

    it('re-queues jobs a dead process left running, and fails those with no attempts left', async () => {
      t = await createTestDatabase(engine);
      const clock = manualClock();
      const sql = createJobsSql(t.db.kysely, engine);
      const queue = createJobQueue({ sql, now: clock.now });
      const orphan = await queue.enqueue('work', { n: 1 });
      clock.advance(1);
      const spent = await queue.enqueue('work', { n: 2 }, { maxAttempts: 1 });
      // a worker of a previous process claims both and dies
      expect(await sql.claim('dead-worker', clock.now().toISOString())).toMatchObject({ id: orphan, status: 'running', lockedBy: 'dead-worker' });
      expect(await sql.claim('dead-worker', clock.now().toISOString())).toMatchObject({ id: spent, status: 'running' });
      // a live worker with a longer lease leaves them alone: they may still be running elsewhere
      clock.advance(1000);
      const patient = createJobWorker({ sql, handlers: {}, log: silent, now: clock.now, leaseMs: 60_000, recoverOnStart: true });
      await patient.start();
      await patient.stop();
      expect(await queue.get(orphan)).toMatchObject({ status: 'running', lockedBy: 'dead-worker' });
      // once their lease (1 s here) expired, any worker re-queues them
      clock.advance(1);
      const ran: unknown[] = [];
      const worker = createJobWorker({
        sql,
        handlers: {
          work: async (p) => {
            ran.push(p);
          },
        },
        log: silent,
        now: clock.now,
        pollMs: 5,
        leaseMs: 1000,
      });
      await worker.start();
      try {
        await until(async () => (await queue.get(orphan))?.status === 'completed', 'the orphan to run');
      } finally {
        await worker.stop();
      }
      expect(ran).toEqual([{ n: 1 }]);
      expect(await queue.get(orphan)).toMatchObject({ status: 'completed', attempts: 2 });
      expect(await queue.get(spent)).toMatchObject({ status: 'failed', attempts: 1 });
      // the dead worker cannot complete a job it no longer holds
      expect(await sql.complete(orphan, 'dead-worker', 'late', clock.now().toISOString())).toBe(false);
    });

    it('heartbeats keep a lease; a cancelled job aborts its handler and refuses its result; retry revives a dead job', async () => {
      t = await createTestDatabase(engine);
      const sql = createJobsSql(t.db.kysely, engine);
      const queue = createJobQueue({ sql });
      let started!: () => void;
      const isRunning = new Promise<void>((r) => (started = r));
      let abortedBy: unknown;
      const events: string[] = [];
      const worker = createJobWorker({
        sql,
        queue,
        pollMs: 5,
        leaseMs: 60,
        onEvent: (e) => events.push(e.type),
        handlers: {
          long: (_p, run) =>
            new Promise((resolve) => {
              run.progress?.({ percent: 10 });
              started();
              run.signal.addEventListener('abort', () => {
                abortedBy = run.signal.reason;
                resolve('gave up');
              });
            }),
        },
        log: silent,
      });
      await worker.start();
      try {
        const id = await queue.enqueue('long', {});
        await isRunning;
        // several lease periods pass; the heartbeat keeps the job this worker's
        const firstLock = (await queue.get(id))?.lockedAt;
        await until(async () => (await queue.get(id))?.lockedAt !== firstLock, 'a heartbeat');
        await new Promise((r) => setTimeout(r, 200));
        expect(await queue.get(id)).toMatchObject({ status: 'running', lockedBy: worker.id, attempts: 1 });
        expect(await sql.cancel(id, 'cancelled by operator', new Date().toISOString())).toBe(true);
        await until(async () => abortedBy !== undefined, 'the handler to be aborted');
        expect(String(abortedBy)).toContain('lease lost');
        // its late result is refused: the job stays cancelled
        await until(async () => events.length >= 2, 'events');
        expect(await queue.get(id)).toMatchObject({ status: 'failed', error: 'cancelled by operator' });
        expect(events).toEqual(['job.started', 'job.progress']);
        expect(await sql.cancel(id, 'again', new Date().toISOString())).toBe(false);
        expect(await sql.retry(id, new Date().toISOString())).toBe(true);
        await until(async () => events.filter((e) => e === 'job.started').length === 2, 'the retried job to start');
        expect(await queue.get(id)).toMatchObject({ status: 'running', attempts: 1 });
        expect(await sql.retry(id, new Date().toISOString())).toBe(false);
        expect((await sql.list({ status: 'running', limit: 10 })).map((j) => j.id)).toEqual([id]);
      } finally {
        await worker.stop();
      }
    });

    it('stop() aborts the running handler and waits for it; the worker wakes on enqueue', async () => {
      t = await createTestDatabase(engine);
      const sql = createJobsSql(t.db.kysely, engine);
      const queue = createJobQueue({ sql });
      let aborted = false;
      let started!: () => void;
      const isRunning = new Promise<void>((r) => (started = r));
      const worker = createJobWorker({
        sql,
        queue,
        // a long poll interval: only the enqueue wake-up can start the job quickly
        pollMs: 60_000,
        handlers: {
          slow: (_p, run) =>
            new Promise((resolve) => {
              started();
              run.signal.addEventListener('abort', () => {
                aborted = true;
                resolve('stopped early');
              });
            }),
        },
        log: silent,
      });
      await worker.start();
      const id = await queue.enqueue('slow', {});
      await isRunning;
      await worker.stop();
      expect(aborted).toBe(true);
      expect(await queue.get(id)).toMatchObject({ status: 'completed', result: 'stopped early' });
    });
  });
}
