import { describe, expect, it } from 'vitest';
import { createJobQueue } from '../../src/jobs/jobs.queue.js';
import { createJobsSql } from '../../src/jobs/jobs.sql.js';
import { createJobWorker } from '../../src/jobs/jobs.worker.js';
import { createTestDatabase } from '../helpers/engines.js';

const silent = { warn() {}, info() {}, error() {} };

/** A worker whose one handler runs `ms` unless aborted; resolves `started` when it begins. */
async function workerWithSlowJob(ms: number, drainMs: number) {
  const t = await createTestDatabase('sqlite');
  const sql = createJobsSql(t.db.kysely, 'sqlite');
  const queue = createJobQueue({ sql });
  let started!: () => void;
  const running = new Promise<void>((r) => (started = r));
  let aborted = false;
  const worker = createJobWorker({
    sql,
    queue,
    pollMs: 60_000,
    drainMs,
    stopTimeoutMs: 5_000,
    log: silent,
    handlers: {
      slow: (_p, run) =>
        new Promise((resolve) => {
          started();
          const timer = setTimeout(() => resolve('finished'), ms);
          run.signal.addEventListener('abort', () => {
            aborted = true;
            clearTimeout(timer);
            resolve('aborted');
          });
        }),
    },
  });
  await worker.start();
  const id = await queue.enqueue('slow', {});
  await running;
  return { t, queue, worker, id, aborted: () => aborted };
}

describe('stopping the job worker with a drain time', () => {
  it('lets a running job finish within the drain time, claiming nothing new', async () => {
    const w = await workerWithSlowJob(300, 5_000);
    try {
      const next = await w.queue.enqueue('slow', {});
      const before = Date.now();
      await w.worker.stop();
      expect(Date.now() - before).toBeGreaterThanOrEqual(250);
      expect(w.aborted()).toBe(false);
      expect(await w.queue.get(w.id)).toMatchObject({ status: 'completed', result: 'finished' });
      expect(await w.queue.get(next)).toMatchObject({ status: 'queued', attempts: 0 });
    } finally {
      await w.t.cleanup();
    }
  });

  it('aborts a job still running when the drain time is over', async () => {
    const w = await workerWithSlowJob(60_000, 200);
    try {
      const before = Date.now();
      await w.worker.stop();
      expect(Date.now() - before).toBeLessThan(3_000);
      expect(w.aborted()).toBe(true);
      expect(await w.queue.get(w.id)).toMatchObject({ status: 'completed', result: 'aborted' });
    } finally {
      await w.t.cleanup();
    }
  });
});
