import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFound } from '../errors.js';
import { authenticate, type RequestAuthenticator } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import type { JobQueue } from '../jobs/jobs.queue.js';
import { summaryLines } from '../migration/report.js';
import { STORAGE_PHASES } from '../storage/phase-list.js';
import { IMPORT_JOB_TYPE, type MigrationConsole } from './console.service.js';

export interface MigrationConsoleRoutesDeps {
  console: MigrationConsole;
  queue: Pick<JobQueue, 'enqueue' | 'get'>;
  auth: RequestAuthenticator;
}

const dir = (field: string) =>
  z
    .string({ message: `${field} must be a path` })
    .min(1, `${field} must not be empty`)
    .max(4096, `${field} is too long`);
const flag = (field: string) => z.boolean({ message: `${field} must be true or false` }).optional();
/** Import, phase and rollback act only on `confirm: true`; any other call answers what they would do. */
const confirm = flag('confirm');

const importBody = z.object({
  from: dir('from'),
  skipBrokenFiles: flag('skipBrokenFiles'),
  prune: flag('prune'),
  allowEmpty: flag('allowEmpty'),
  confirm,
});
const verifyBody = z.object({ from: dir('from').optional() });
const phaseBody = z.object({
  phase: z.enum(STORAGE_PHASES, { message: `phase must be one of ${STORAGE_PHASES.join(', ')}` }),
  from: dir('from').optional(),
  force: flag('force'),
  confirm,
});
const confirmBody = z.object({ confirm });
const jobParams = z.object({ id: z.string().regex(/^[0-9a-f]{32}$/, 'id must be a job id (32 hex characters)') });

/**
 * The migration console's API (admin), under /api/system/migration: `status`, `dry-run`, `import`
 * (a queued job; `preview: true` answers the dry run and what the import will do), `import/:id`
 * (the job's state and progress), `report` (the last import), `verify`, `phase`, `rollback`.
 * The mutating routes (import, phase, rollback) act only on `confirm: true`; without it they answer
 * `{preview:true, summary, ...}`: what they would do, changing nothing.
 */
export async function migrationConsoleRoutes(app: FastifyInstance, deps: MigrationConsoleRoutesDeps): Promise<void> {
  const admin = { preHandler: authenticate(deps.auth, 'admin') };
  const actor = (request: { user?: { id: string } }) => request.user?.id ?? 'system';
  const c = deps.console;

  app.get('/api/system/migration/status', admin, async () => ({ ok: true, ...(await c.status()) }));

  app.post('/api/system/migration/dry-run', admin, async (request) => {
    const body = parseInput(importBody.omit({ confirm: true }), request.body);
    return { ok: true, ...(await c.dryRun(body)) };
  });

  app.post('/api/system/migration/import', admin, async (request, reply) => {
    const { confirm: go, ...req } = parseInput(importBody, request.body);
    const r = await c.startImport(deps.queue, req, actor(request), { preview: go !== true });
    if (!r.preview) reply.code(202);
    return { ok: true, ...r };
  });

  app.get('/api/system/migration/import/:id', admin, async (request) => {
    const { id } = parseInput(jobParams, request.params);
    const job = await deps.queue.get(id);
    if (!job || job.type !== IMPORT_JOB_TYPE) throw new NotFound('not_found', { message: `no import job with id ${id}` });
    const progress = c.progressOf(id);
    return {
      ok: true,
      job: {
        id: job.id,
        status: job.status,
        createdAt: job.createdAt,
        updatedAt: job.updatedAt,
        ...(job.error ? { error: job.error } : {}),
        result: job.result,
      },
      progress: job.status === 'completed' ? { percent: 100, message: 'done' } : (progress ?? { percent: 0, message: job.status }),
    };
  });

  app.get('/api/system/migration/report', admin, async () => {
    const report = await c.lastReport();
    if (!report) throw new NotFound('not_found', { message: 'no import has been recorded yet' });
    return { ok: true, report, lines: summaryLines(report) };
  });

  app.post('/api/system/migration/verify', admin, async (request) => ({ ok: true, ...(await c.verify(parseInput(verifyBody, request.body))) }));

  app.post('/api/system/migration/phase', admin, async (request) => {
    const body = parseInput(phaseBody, request.body);
    return { ok: true, ...(await c.setPhase({ target: body.phase, from: body.from, force: body.force }, actor(request), { preview: body.confirm !== true })) };
  });

  app.post('/api/system/migration/rollback', admin, async (request) => {
    const body = parseInput(confirmBody, request.body);
    return { ok: true, ...(await c.rollback(actor(request), { preview: body.confirm !== true })) };
  });
}
