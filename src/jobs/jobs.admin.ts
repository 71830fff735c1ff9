import type { AuditActor, AuditRecorder } from '../system/audit.types.js';
import type { JobsSql } from './jobs.sql.js';
import type { JobRecord, JobStatus } from './jobs.types.js';

export const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'completed', 'failed'];
export const CANCELLED_ERROR = 'cancelled by an operator';

/**
 * Refused operator action; the message names the job and why (nothing was changed). `reason`
 * says which kind of refusal it is (the HTTP routes answer 400, 404 or 409 by it).
 */
export class JobAdminError extends Error {
  override name = 'JobAdminError';
  constructor(
    message: string,
    readonly reason: 'invalid' | 'not_found' | 'conflict' = 'invalid',
  ) {
    super(message);
  }
}

/** What the audit log keeps of a job: no payload or result (they may name paths and settings). */
function auditedJob(j: JobRecord) {
  return { type: j.type, status: j.status, attempts: j.attempts, maxAttempts: j.maxAttempts, error: j.error };
}

/**
 * What an operator does to the queue (`mediaos jobs`, `/api/system/jobs`): list, retry a dead
 * (`failed`) job with a fresh set of attempts, cancel a queued or running one (kept as `failed`
 * with the reason; a running handler is abandoned at its worker's next heartbeat). With `audit`,
 * a retry or cancel is written to the audit log (entity `job`) under the actor given.
 */
export function createJobsAdmin(deps: { sql: Pick<JobsSql, 'get' | 'list' | 'retry' | 'cancel'>; now: () => Date; audit?: AuditRecorder }) {
  const { sql, now, audit } = deps;
  async function existing(id: string): Promise<JobRecord> {
    const job = await sql.get(id);
    if (!job) throw new JobAdminError(`no job with id "${id}"`, 'not_found');
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
    async get(id: string): Promise<JobRecord> {
      return existing(id);
    },
    async retry(id: string, actor: AuditActor = 'cli'): Promise<JobRecord> {
      const job = await existing(id);
      if (job.status !== 'failed') throw new JobAdminError(`job ${id} is ${job.status}; only a failed job can be retried`, 'conflict');
      if (!(await sql.retry(id, now().toISOString()))) throw new JobAdminError(`job ${id} changed meanwhile; nothing was done`, 'conflict');
      const after = await existing(id);
      await audit?.record({ actor, entity: 'job', entityId: id, action: 'retry', before: auditedJob(job), after: auditedJob(after) });
      return after;
    },
    async cancel(id: string, actor: AuditActor = 'cli'): Promise<JobRecord> {
      const job = await existing(id);
      if (job.status !== 'queued' && job.status !== 'running')
        throw new JobAdminError(`job ${id} is ${job.status}; only a queued or running job can be cancelled`, 'conflict');
      if (!(await sql.cancel(id, CANCELLED_ERROR, now().toISOString()))) throw new JobAdminError(`job ${id} changed meanwhile; nothing was done`, 'conflict');
      const after = await existing(id);
      await audit?.record({ actor, entity: 'job', entityId: id, action: 'cancel', before: auditedJob(job), after: auditedJob(after) });
      return after;
    },
  };
}
export type JobsAdmin = ReturnType<typeof createJobsAdmin>;
