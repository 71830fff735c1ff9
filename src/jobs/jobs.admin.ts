import type { JobsSql } from './jobs.sql.js';
import type { JobRecord, JobStatus } from './jobs.types.js';

export const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'completed', 'failed'];
export const CANCELLED_ERROR = 'cancelled by an operator';

/** Refused operator action; the message names the job and why (nothing was changed). */
export class JobAdminError extends Error {
  override name = 'JobAdminError';
}

/**
 * What an operator does to the queue (`mediaos jobs`): list, retry a dead (`failed`) job with a
 * fresh set of attempts, cancel a queued or running one (kept as `failed` with the reason; a
 * running handler is abandoned at its worker's next heartbeat).
 */
export function createJobsAdmin(deps: { sql: Pick<JobsSql, 'get' | 'list' | 'retry' | 'cancel'>; now: () => Date }) {
  const { sql, now } = deps;
  async function existing(id: string): Promise<JobRecord> {
    const job = await sql.get(id);
    if (!job) throw new JobAdminError(`no job with id "${id}"`);
    return job;
  }
  return {
    async list(opts: { status?: string; limit?: number } = {}): Promise<JobRecord[]> {
      const { status } = opts;
      if (status !== undefined && !JOB_STATUSES.includes(status as JobStatus))
        throw new JobAdminError(`status: "${status}" is not one of ${JOB_STATUSES.join(', ')}`);
      const limit = opts.limit ?? 50;
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new JobAdminError(`limit: must be an integer from 1 to 10000 (got "${opts.limit}")`);
      return sql.list({ status: status as JobStatus | undefined, limit });
    },
    async retry(id: string): Promise<JobRecord> {
      const job = await existing(id);
      if (job.status !== 'failed') throw new JobAdminError(`job ${id} is ${job.status}; only a failed job can be retried`);
      if (!(await sql.retry(id, now().toISOString()))) throw new JobAdminError(`job ${id} changed meanwhile; nothing was done`);
      return existing(id);
    },
    async cancel(id: string): Promise<JobRecord> {
      const job = await existing(id);
      if (job.status !== 'queued' && job.status !== 'running')
        throw new JobAdminError(`job ${id} is ${job.status}; only a queued or running job can be cancelled`);
      if (!(await sql.cancel(id, CANCELLED_ERROR, now().toISOString()))) throw new JobAdminError(`job ${id} changed meanwhile; nothing was done`);
      return existing(id);
    },
  };
}
export type JobsAdmin = ReturnType<typeof createJobsAdmin>;
