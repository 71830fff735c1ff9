import { Forbidden, missingParams, NotFound } from '../errors.js';
import type { JobQueue } from '../jobs/jobs.queue.js';
import { type JobRunContext, PermanentJobError } from '../jobs/jobs.types.js';
import { randomHexId } from '../security/tokens.js';
import { loadMediaRoots, resolveInsideRoots } from '../settings/media-roots.js';
import type { SettingsDocumentStore } from '../settings/settings.store.js';
import { asDocument } from '../settings/settings.types.js';
import type { AuditActor, AuditRecorder } from '../system/audit.types.js';
import { verifyKey } from './verify.codec.js';
import { type Probe, probeMedia } from './verify.probe.js';
import { evaluate } from './verify.rules.js';
import type { VerifyJobsStore, VerifyStore } from './verify.store.js';
import type { VerifyJob, VerifyOutcome, VerifyRequest, VerifyResultRecord, VerifySettings } from './verify.types.js';

/** Queue job type of a verify job (payload `{verifyJobId}`; the queue job has the same id). */
export const VERIFY_JOB_TYPE = 'verify';
export const VERIFY_SETTINGS_KEY = 'verify';

export interface VerifyServiceDeps {
  verify: VerifyStore;
  verifyJobs: VerifyJobsStore;
  settings: Pick<SettingsDocumentStore, 'get' | 'put'>;
  queue: Pick<JobQueue, 'enqueue'>;
  /** Settings saves are audited. */
  audit?: AuditRecorder;
  now: () => Date;
  probe?: Probe;
}

function requireKindAndId(req: { kind: string; id: string }): void {
  const missing = (['kind', 'id'] as const).filter((k) => !req[k]);
  if (missing.length) throw missingParams(missing);
}

/** Who asks: only an admin may name a path outside the media roots. */
export interface VerifyCaller {
  role: 'admin' | 'user';
}

/** One answer for every refused path, whether the file exists or not (nothing leaks about the host). */
export const PATH_NOT_ALLOWED = 'path_not_allowed';

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function createVerifyService(deps: VerifyServiceDeps) {
  const probe = deps.probe ?? probeMedia;

  async function analyse(req: { phase: string; title: string; path?: string }, signal?: AbortSignal): Promise<VerifyOutcome> {
    const settings = asDocument(await deps.settings.get(VERIFY_SETTINGS_KEY)) as VerifySettings;
    const probed = await probe({ title: req.title, path: req.path }, signal);
    return evaluate(req, probed.metadata, probed.issues, settings, deps.now().toISOString());
  }

  /**
   * The path to probe: inside a configured media root (resolved, symlinks followed) for anyone;
   * any path for an admin. Anything else is 403 `path_not_allowed` before the disk is looked at
   * for that path, so the answer is the same whether the file exists or not.
   */
  async function allowedPath(path: string | undefined, caller: VerifyCaller): Promise<string | undefined> {
    if (path === undefined) return undefined;
    const inside = await resolveInsideRoots(path, await loadMediaRoots(deps.settings));
    if (inside !== undefined) return inside;
    if (caller.role === 'admin') return path;
    throw new Forbidden(PATH_NOT_ALLOWED, { message: 'path must be inside a media folder (settings.json mediaFolders); only an admin may verify other paths' });
  }

  return {
    /** POST /api/verify/check: analyse now, store `{...result, kind, id, title}` as the last result. */
    async check(req: VerifyRequest, caller: VerifyCaller): Promise<VerifyOutcome> {
      requireKindAndId(req);
      const path = await allowedPath(req.path, caller);
      const result = await analyse({ ...req, path });
      const record: VerifyResultRecord = { ...result, kind: req.kind, id: req.id, title: req.title };
      await deps.verify.putResult(verifyKey(req.kind, req.id), record);
      return result;
    },

    async last(kind: string, id: string): Promise<VerifyResultRecord | null> {
      requireKindAndId({ kind, id });
      return (await deps.verify.getResult(verifyKey(kind, id))) ?? null;
    },

    /** POST /api/verify/jobs: a persisted verify job plus a queue job with the same id. */
    async enqueue(req: VerifyRequest, caller: VerifyCaller): Promise<string> {
      requireKindAndId(req);
      await allowedPath(req.path, caller);
      const now = deps.now();
      const id = randomHexId();
      const input: VerifyJob['input'] = { phase: req.phase, kind: req.kind, id: req.id, title: req.title };
      if (req.path !== undefined) input.path = req.path;
      await deps.verifyJobs.insert({ id, status: 'queued', input, enqueuedAt: now.toISOString() });
      try {
        await deps.queue.enqueue(VERIFY_JOB_TYPE, { verifyJobId: id }, { id, now });
      } catch (err) {
        await deps.verifyJobs.markFailed(id, 'could not be queued', deps.now().toISOString()).catch(() => undefined);
        throw err;
      }
      return id;
    },

    async job(id: string): Promise<VerifyJob> {
      const job = await deps.verifyJobs.get(id);
      if (!job) throw new NotFound('not_found');
      return job;
    },

    /** The queue handler: runs the legacy rules and writes the last result (with `path` when given). */
    async runJob(payload: unknown, run: JobRunContext): Promise<{ topSeverity: string }> {
      const jobId = (payload as { verifyJobId?: unknown } | null)?.verifyJobId;
      const job = typeof jobId === 'string' ? await deps.verifyJobs.get(jobId) : undefined;
      if (!job) throw new PermanentJobError('verify job not found');
      await deps.verifyJobs.markRunning(job.id, deps.now().toISOString());
      try {
        const result = await analyse(job.input, run.signal);
        const record: VerifyResultRecord = { ...result, ...job.input };
        await deps.verify.putResult(verifyKey(job.input.kind, job.input.id), record);
        await deps.verifyJobs.markCompleted(job.id, result, deps.now().toISOString());
        return { topSeverity: result.topSeverity };
      } catch (err) {
        const last = err instanceof PermanentJobError || run.job.attempts >= run.job.maxAttempts;
        if (last) await deps.verifyJobs.markFailed(job.id, messageOf(err), deps.now().toISOString());
        else await deps.verifyJobs.markQueued(job.id, messageOf(err));
        throw err;
      }
    },

    async getSettings(): Promise<VerifySettings> {
      return asDocument(await deps.settings.get(VERIFY_SETTINGS_KEY)) as VerifySettings;
    },

    /** POST /api/settings/verify replaces the whole document with the body (legacy). */
    async saveSettings(settings: VerifySettings, by: AuditActor = 'system'): Promise<VerifySettings> {
      const before = await deps.settings.get(VERIFY_SETTINGS_KEY);
      await deps.settings.put(VERIFY_SETTINGS_KEY, settings);
      await deps.audit?.record({ actor: by, entity: 'settings', entityId: VERIFY_SETTINGS_KEY, action: 'replace', before, after: settings });
      return settings;
    },
  };
}
export type VerifyService = ReturnType<typeof createVerifyService>;
