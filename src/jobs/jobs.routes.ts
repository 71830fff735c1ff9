import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Duplicate, Invalid, NotFound } from '../errors.js';
import { authenticate, type RequestAuthenticator, requireUser } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import { pageLimit } from '../http/page-query.js';
import { redactSecrets } from '../system/audit.redact.js';
import { JOB_STATUSES, JobAdminError, type JobsAdmin } from './jobs.admin.js';
import type { JobRecord } from './jobs.types.js';

export interface JobsRoutesDeps {
  jobsAdmin: JobsAdmin;
  auth: RequestAuthenticator;
}

const listQuery = z.object({
  status: z.enum(JOB_STATUSES as [string, ...string[]], { message: `status must be one of ${JOB_STATUSES.join(', ')}` }).optional(),
  limit: pageLimit,
});

/** A job as the API shows it: payload and result with any secret-named member "[redacted]". */
export function jobView(j: JobRecord) {
  return { ...j, payload: redactSecrets(j.payload), result: redactSecrets(j.result) };
}

/** The operator's refusals on the wire: 404 unknown job, 409 wrong status, 400 bad input. */
async function mapped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof JobAdminError)) throw err;
    if (err.reason === 'not_found') throw new NotFound(err.message);
    if (err.reason === 'conflict') throw new Duplicate(err.message);
    throw new Invalid(err.message);
  }
}

/**
 * The background job queue for admins (what `mediaos jobs` does):
 * - GET /api/system/jobs?status=&limit=: `{ok:true, jobs:[…]}`, newest first (limit 1..500, default 100);
 * - GET /api/system/jobs/:id: `{ok:true, job}`;
 * - POST /api/system/jobs/:id/retry: a failed job queued again with fresh attempts;
 * - POST /api/system/jobs/:id/cancel: a queued or running job failed with "cancelled by an operator".
 * Retry and cancel are audited (entity `job`) and answer `{ok:true, job}`.
 */
export async function jobsRoutes(app: FastifyInstance, deps: JobsRoutesDeps): Promise<void> {
  const admin = { preHandler: authenticate(deps.auth, 'admin') };
  type IdParams = { Params: { id: string } };

  app.get('/api/system/jobs', admin, async (request) => {
    const q = parseInput(listQuery, request.query);
    const jobs = await mapped(() => deps.jobsAdmin.list({ status: q.status, limit: q.limit }));
    return { ok: true, jobs: jobs.map(jobView) };
  });

  app.get<IdParams>('/api/system/jobs/:id', admin, async (request) => ({
    ok: true,
    job: jobView(await mapped(() => deps.jobsAdmin.get(request.params.id))),
  }));

  app.post<IdParams>('/api/system/jobs/:id/retry', admin, async (request) => ({
    ok: true,
    job: jobView(await mapped(() => deps.jobsAdmin.retry(request.params.id, requireUser(request).id))),
  }));

  app.post<IdParams>('/api/system/jobs/:id/cancel', admin, async (request) => ({
    ok: true,
    job: jobView(await mapped(() => deps.jobsAdmin.cancel(request.params.id, requireUser(request).id))),
  }));
}
