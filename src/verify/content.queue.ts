/**
 * The content-check queue (API.md §9 `/api/verify/queue*`) on the database job queue: a job per
 * file or folder (type `content-verify`), run by the queue worker, results stored per file. The
 * legacy job shape is read from the queue's row; `priority` is kept on the job but the database
 * queue runs jobs in order of arrival.
 */
import { Invalid, NotFound } from '../errors.js';
import type { JobQueue } from '../jobs/jobs.queue.js';
import type { JobsSql } from '../jobs/jobs.sql.js';
import { type JobRecord, type JobRunContext, PermanentJobError } from '../jobs/jobs.types.js';
import { type ContentOptions, contentOptions } from './content.rules.js';
import type { ContentService } from './content.service.js';
import type { ContentCheckCursor, ContentChecksSql } from './content.sql.js';

export const CONTENT_VERIFY_JOB_TYPE = 'content-verify';
const LIST_LIMIT = 50;
const RESULTS_LIMIT = 1000;

export interface QueueMetadata {
  title?: string;
  kind?: string;
  itemId?: string;
  source?: string;
}

interface ContentJobPayload {
  path: string;
  type: 'file' | 'folder';
  options: ContentOptions;
  priority: number;
  metadata?: QueueMetadata;
}

export interface ContentQueueDeps {
  content: Pick<ContentService, 'inside' | 'checkFile' | 'folder'>;
  checks: Pick<ContentChecksSql, 'fromJobs' | 'fromJobsPage' | 'countFromJobs'>;
  jobs: Pick<JobsSql, 'list' | 'countByStatus' | 'cancel' | 'deleteFinishedOfType' | 'get'>;
  queue: Pick<JobQueue, 'enqueue'>;
  now: () => Date;
}

/** The legacy job shape from a queue row. */
function legacyJob(job: JobRecord) {
  const p = job.payload as ContentJobPayload;
  const out: Record<string, unknown> = {
    id: job.id,
    type: p.type,
    path: p.path,
    options: p.options,
    status: job.status,
    priority: p.priority,
    createdAt: job.createdAt,
  };
  if (job.lockedAt !== undefined || job.status !== 'queued') out.startedAt = job.lockedAt ?? job.updatedAt;
  if (job.status === 'completed' || job.status === 'failed') out.completedAt = job.updatedAt;
  if (job.result !== undefined) out.result = job.result;
  if (job.error !== undefined) out.error = job.error;
  if (p.metadata !== undefined) out.metadata = p.metadata;
  return out;
}

export function createContentQueue(deps: ContentQueueDeps) {
  async function enqueue(path: unknown, type: 'file' | 'folder', options: ContentOptions, priority: number, metadata?: QueueMetadata): Promise<string> {
    const real = (await deps.content.inside(path)).path;
    const payload: ContentJobPayload = { path: real, type, options, priority };
    if (metadata !== undefined) payload.metadata = metadata;
    return deps.queue.enqueue(CONTENT_VERIFY_JOB_TYPE, payload, { now: deps.now(), maxAttempts: 1 });
  }

  return {
    async status() {
      const counts = await deps.jobs.countByStatus(CONTENT_VERIFY_JOB_TYPE);
      const jobs = await deps.jobs.list({ type: CONTENT_VERIFY_JOB_TYPE, limit: LIST_LIMIT });
      return {
        totalJobs: counts.queued + counts.running + counts.completed + counts.failed,
        queuedJobs: counts.queued,
        runningJobs: counts.running,
        completedJobs: counts.completed,
        failedJobs: counts.failed,
        isProcessing: counts.running > 0,
        jobs: jobs.map(legacyJob),
      };
    },

    async add(body: { path?: unknown; type?: 'file' | 'folder'; options?: ContentOptions; priority?: number; metadata?: QueueMetadata }) {
      const jobId = await enqueue(body.path, body.type ?? 'file', body.options ?? {}, body.priority ?? 5, body.metadata);
      return { jobId, message: 'Verification job queued' };
    },

    /** Every path is checked before any job is queued. */
    async addBatch(body: { files: { path?: unknown; metadata?: QueueMetadata }[]; options?: ContentOptions; priority?: number }) {
      for (let i = 0; i < body.files.length; i++) await deps.content.inside(body.files[i]!.path, `files.${i}.path`);
      const jobIds: string[] = [];
      for (const f of body.files) jobIds.push(await enqueue(f.path, 'file', body.options ?? {}, body.priority ?? 5, f.metadata));
      return { jobIds, message: `${jobIds.length} verification jobs queued` };
    },

    async job(id: string) {
      const job = await deps.jobs.get(id);
      if (!job || job.type !== CONTENT_VERIFY_JOB_TYPE) throw new NotFound('Job not found');
      return legacyJob(job);
    },

    /** Only a queued job can be cancelled (legacy). */
    async cancel(id: string) {
      const job = await deps.jobs.get(id);
      const ok = job?.type === CONTENT_VERIFY_JOB_TYPE && job.status === 'queued' && (await deps.jobs.cancel(id, 'cancelled', deps.now().toISOString()));
      if (!ok) throw new Invalid('Job cannot be cancelled (not queued or not found)');
      return { message: 'Job cancelled' };
    },

    async clear() {
      const cleared = await deps.jobs.deleteFinishedOfType(CONTENT_VERIFY_JOB_TYPE);
      return { cleared, message: `Cleared ${cleared} finished jobs` };
    },

    async results() {
      const results = await deps.checks.fromJobs(RESULTS_LIMIT);
      const passed = results.filter((r) => r.passed).length;
      return { total: results.length, passed, failed: results.length - passed, results: results.map(({ checkedAt: _c, ...r }) => r) };
    },

    /**
     * One page of the results in the same order (newest first, then by path) with `checkedAt`,
     * and the exact counts over every check queue jobs made (the whole answer stops at 1,000).
     */
    async resultsPage(after: ContentCheckCursor | null, limit: number) {
      const [page, counts] = await Promise.all([deps.checks.fromJobsPage(after, limit), deps.checks.countFromJobs()]);
      return { items: page.items, total: counts.total, passed: counts.passed, failed: counts.total - counts.passed, next: page.next };
    },

    /** Queue handler: a file's result, or a folder's summary. */
    async runJob(payload: unknown, run: JobRunContext): Promise<unknown> {
      const p = payload as Partial<ContentJobPayload> | null;
      if (typeof p?.path !== 'string') throw new PermanentJobError('content-verify job without a path');
      const options = contentOptions.parse(p.options ?? {});
      // The path was checked when queued; the roots may have changed since.
      const real = (await deps.content.inside(p.path)).path;
      if (p.type === 'folder') {
        const r = await deps.content.folder(real, true, options, run.job.id);
        return { allPassed: r.allPassed, totalFiles: r.totalFiles, passedCount: r.passedCount, failedCount: r.failedCount, totalIssues: r.totalIssues };
      }
      const r = await deps.content.checkFile(real, options, run.job.id, run.signal);
      return r;
    },
  };
}
export type ContentQueue = ReturnType<typeof createContentQueue>;
