import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app.js';
import { jobHandlers } from './jobs.handlers.js';
import { createJobsSql } from './jobs.sql.js';
import { createJobWorker, type JobWorker } from './jobs.worker.js';

/**
 * Runs the queue worker for the life of the app: started when the app is ready (re-queueing
 * jobs a previous process left `running`), stopped on app.close() before the database closes
 * (server.ts and the test helper close the app first). Registered once, from http/routes.ts.
 */
export async function jobsPlugin(app: FastifyInstance, ctx: AppContext, opts: { pollMs?: number } = {}): Promise<JobWorker> {
  const worker = createJobWorker({
    sql: createJobsSql(ctx.db.kysely, ctx.db.engine),
    handlers: jobHandlers(ctx),
    log: app.log,
    now: ctx.now,
    queue: ctx.stores.jobs,
    pollMs: opts.pollMs,
  });
  app.addHook('onReady', async () => {
    await worker.start();
  });
  app.addHook('onClose', async () => {
    await worker.stop();
  });
  return worker;
}
