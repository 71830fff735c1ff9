import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/connect.js';
import { createJobsSql } from './jobs.sql.js';
import type { JobQueue } from './jobs.queue.js';
import type { JobHandlers } from './jobs.types.js';
import { createJobWorker, type JobWorker } from './jobs.worker.js';
import { scheduleHousekeeping } from '../housekeeping/housekeeping.service.js';

const HOUSEKEEPING_CHECK_MS = 60 * 60 * 1000;

/**
 * Runs the queue worker for the life of the app: started when the app is ready (re-queueing
 * jobs whose lease expired: their process died), stopped on app.close() before the database closes
 * (server.ts and the test helper close the app first). Registered once, from routes.ts.
 */
export interface JobsPluginDeps {
  db: Pick<Database, 'kysely' | 'engine'>;
  now: () => Date;
  stores: { jobs: JobQueue };
  /** The handler table built once by the composition root (jobs.handlers.ts). */
  services: { jobHandlers: JobHandlers };
}

export async function jobsPlugin(app: FastifyInstance, ctx: JobsPluginDeps, opts: { pollMs?: number; leaseMs?: number } = {}): Promise<JobWorker> {
  const worker = createJobWorker({
    sql: createJobsSql(ctx.db.kysely, ctx.db.engine),
    handlers: ctx.services.jobHandlers,
    log: app.log,
    now: ctx.now,
    queue: ctx.stores.jobs,
    pollMs: opts.pollMs,
    leaseMs: opts.leaseMs,
  });
  // Daily chores: checked at start and hourly; one job per day (its id is the date).
  let timer: NodeJS.Timeout | undefined;
  const schedule = () =>
    scheduleHousekeeping(ctx).catch((err: unknown) => app.log.warn({ err }, 'could not schedule housekeeping'));
  app.addHook('onReady', async () => {
    await worker.start();
    await schedule();
    timer = setInterval(schedule, HOUSEKEEPING_CHECK_MS);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
    await worker.stop();
  });
  return worker;
}
