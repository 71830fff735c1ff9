import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { Database } from '../db/connect.js';
import type { EventBus } from '../events/events.bus.js';
import { housekeepingCheckMs, scheduleHousekeeping } from '../housekeeping/housekeeping.schedule.js';
import type { JobQueue } from './jobs.queue.js';
import { createJobsSql } from './jobs.sql.js';
import type { JobHandlers } from './jobs.types.js';
import { createJobWorker, type JobWorker } from './jobs.worker.js';

/**
 * Runs the queue worker for the life of the app: started when the app is ready (re-queueing
 * jobs whose lease expired: their process died), stopped on app.close() before the database closes
 * (server.ts and the test helper close the app first). Registered once, from routes.ts.
 */
export interface JobsPluginDeps {
  db: Pick<Database, 'kysely' | 'engine'>;
  now: () => Date;
  /** The upkeep jobs' intervals (housekeeping.schedule.ts). */
  config: Pick<Config, 'housekeepingHours' | 'dbOptimizeHours' | 'walCheckpointMinutes' | 'integrityCheckHours'> & Partial<Pick<Config, 'startDelaySeconds'>>;
  stores: { jobs: JobQueue };
  /** The handler table built once by the composition root (jobs.handlers.ts). */
  services: { jobHandlers: JobHandlers };
  /** Where job events go (GET /api/events); none: not published. */
  events?: Pick<EventBus, 'publish'>;
}

export async function jobsPlugin(
  app: FastifyInstance,
  ctx: JobsPluginDeps,
  opts: { pollMs?: number; leaseMs?: number; drainMs?: number; run?: boolean } = {},
): Promise<JobWorker> {
  const { events } = ctx;
  const worker = createJobWorker({
    sql: createJobsSql(ctx.db.kysely, ctx.db.engine),
    handlers: ctx.services.jobHandlers,
    log: app.log,
    now: ctx.now,
    queue: ctx.stores.jobs,
    pollMs: opts.pollMs,
    leaseMs: opts.leaseMs,
    drainMs: opts.drainMs,
    onEvent: events ? ({ type, ...data }) => events.publish(type, data) : undefined,
  });
  // The upkeep jobs (purge, optimize, checkpoint, integrity): checked at start and every few
  // minutes; one job per interval across processes (its id is the interval's number).
  let timer: NodeJS.Timeout | undefined;
  // The first integrity check after start waits MEDIAOS_START_DELAY_SECONDS (housekeeping.schedule.ts).
  const start = { startedAt: ctx.now().getTime() };
  const schedule = () => scheduleHousekeeping(ctx, start).catch((err: unknown) => app.log.warn({ err }, 'could not schedule housekeeping'));
  // Jobs this process enqueues (other processes' jobs show up when a worker here starts them).
  const unqueued = events ? ctx.stores.jobs.onEnqueue((job) => job && events.publish('job.queued', { job })) : undefined;
  // run false (a `serve --workers` process other than the jobs worker): jobs enqueued here are
  // claimed by the jobs worker at its next poll; this process only publishes their events.
  const run = opts.run ?? true;
  app.addHook('onReady', async () => {
    if (!run) return;
    await worker.start();
    await schedule();
    timer = setInterval(schedule, housekeepingCheckMs(ctx.config));
    timer.unref();
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
    unqueued?.();
    if (run) await worker.stop();
  });
  return worker;
}
