import type { StoreContext } from '../storage/store-context.js';
import { createJobQueue, type JobQueue } from './jobs.queue.js';
import { createJobsSql } from './jobs.sql.js';

/** The queue services enqueue into: database only, in every storage phase. */
export function createJobsStore(ctx: StoreContext): JobQueue {
  return createJobQueue({ sql: createJobsSql(ctx.db.kysely, ctx.db.engine) });
}
