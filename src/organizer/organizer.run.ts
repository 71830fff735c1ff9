/**
 * Organizer runs (API.md §13 preview/start/stop/status, plus undo): a preview computes the plan
 * from the files the scanner recorded; start stores a run and queues a job that applies it,
 * journaling every file operation; undo queues a job that reverses a run's journal. One run at a
 * time; a run whose queue job died is marked failed the next time anyone looks.
 */
import { Duplicate, Forbidden, Invalid, NotFound } from '../errors.js';
import type { JobQueue } from '../jobs/jobs.queue.js';
import { type JobRunContext, PermanentJobError } from '../jobs/jobs.types.js';
import type { MediaFilesSql } from '../media/media-files.sql.js';
import { randomHexId } from '../security/tokens.js';
import { loadMediaRoots, mediaRootProblem, resolveInsideRoots } from '../settings/media-roots.js';
import type { SettingsDocumentStore } from '../settings/settings.store.js';
import { applyItem, undoEntry } from './organizer.apply.js';
import { ConflictError, taken } from './organizer.fs.js';
import type { NamingKind } from './organizer.naming.js';
import { DESTINATION_KEYS, type Destinations, type PlanItem, type PlanOptions, planFiles } from './organizer.plan.js';
import { effectiveOrganizerConfig, ORGANIZER_KEY } from './organizer.service.js';
import type { OrganizerRun, OrganizerSql, RunCounters } from './organizer.sql.js';
import type { OrganizeRequest } from './organizer.types.js';

export const ORGANIZE_JOB_TYPE = 'organizer-apply';
export const ORGANIZE_UNDO_JOB_TYPE = 'organizer-undo';
export const PATH_NOT_ALLOWED = 'path_not_allowed';
const MAX_ERRORS = 100;

export interface OrganizerRunDeps {
  settings: Pick<SettingsDocumentStore, 'get'>;
  files: Pick<MediaFilesSql, 'list'>;
  sql: OrganizerSql;
  queue: Pick<JobQueue, 'enqueue' | 'get'>;
  /** True while the library scanner runs (organizing then would race it). */
  scanning: () => boolean;
  now: () => Date;
}

/** GET /api/organizer/status (legacy keys first). */
export function statusOf(run: OrganizerRun | undefined) {
  const legacy = !run ? 'idle' : run.status === 'completed' || run.status === 'undone' ? 'completed' : run.status === 'failed' ? 'failed' : 'organizing';
  return {
    status: legacy,
    totalFiles: run?.totalFiles ?? 0,
    processedFiles: run?.processedFiles ?? 0,
    successCount: run?.successCount ?? 0,
    skipCount: run?.skipCount ?? 0,
    errorCount: run?.errorCount ?? 0,
    currentFile: run?.currentFile ?? null,
    errors: run?.errors ?? [],
    runId: run?.id ?? null,
    runStatus: run?.status ?? null,
    operation: run?.operation ?? null,
    dryRun: run?.dryRun ?? null,
  };
}

/** A page of the preview: at most `limit` items after the one `cursor` names. */
export interface PreviewPage {
  limit: number;
  cursor?: string;
}

const CURSOR_PREFIX = 'p/';

export function encodePreviewCursor(source: string): string {
  return Buffer.from(`${CURSOR_PREFIX}${source}`, 'utf8').toString('base64url');
}

function decodePreviewCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!key.startsWith(CURSOR_PREFIX)) throw new Invalid('cursor: not a cursor this server returned');
  return key.slice(CURSOR_PREFIX.length);
}

export function createOrganizerRuns(deps: OrganizerRunDeps) {
  const { sql } = deps;
  const stops = new Map<string, AbortController>();
  const at = () => deps.now().toISOString();

  /** The active run, after settling one whose queue job is already over. */
  async function active(): Promise<OrganizerRun | undefined> {
    const run = await sql.activeRun();
    if (!run) return undefined;
    const undoJobId = (run.options as { undoJobId?: string } | null)?.undoJobId;
    const job = await deps.queue.get(run.status === 'undoing' && undoJobId !== undefined ? undoJobId : run.id);
    if (job && (job.status === 'failed' || job.status === 'completed')) {
      await sql.setStatus(run.id, [run.status], 'failed', { finishedAt: at() });
      return undefined;
    }
    return run;
  }

  async function assertIdle(): Promise<void> {
    if (await active()) throw new Duplicate('Organization in progress');
    if (deps.scanning()) throw new Duplicate('A library scan is running; organize after it finishes');
  }

  /** The plan options of a request: destinations (request over config) checked inside the media roots. */
  async function planOptions(req: OrganizeRequest): Promise<PlanOptions & { cleanupEmptyFolders: boolean }> {
    const config = effectiveOrganizerConfig(await deps.settings.get(ORGANIZER_KEY));
    const roots = await loadMediaRoots(deps.settings);
    const named: Destinations = { ...(config.destinations as Destinations), ...req.destinations };
    const destinations: Partial<Record<NamingKind, string>> = {};
    for (const [kind, key] of Object.entries(DESTINATION_KEYS) as [NamingKind, keyof Destinations][]) {
      const path = named[key];
      if (path === undefined || path === '') continue;
      const real = await resolveInsideRoots(path, roots);
      if (real === undefined)
        throw new Forbidden(PATH_NOT_ALLOWED, { message: `destinations.${key} must be inside a media folder (settings.json mediaFolders)` });
      // A destination folder that does not exist yet is created by the run (and removed by its undo).
      const problem = (await taken(real)) ? await mediaRootProblem(real, { writable: true }) : undefined;
      if (problem !== undefined) throw new Invalid(`destinations.${key}: Destination not accessible (${problem})`);
      destinations[kind] = real;
    }
    if (Object.keys(destinations).length === 0) throw new Invalid('destinations: no destination folder set (movies, series, music or books)');
    const operation = req.operation ?? (config.defaultOperation as PlanOptions['operation']);
    const conflict = req.conflictResolution ?? (config.conflictResolution === 'rename' ? 'rename' : 'skip');
    return {
      destinations,
      operation: ['move', 'copy', 'hardlink'].includes(operation) ? operation : 'hardlink',
      conflictResolution: conflict,
      namingConfig: req.namingConfig ?? config.namingConfig,
      roots,
      cleanupEmptyFolders: req.cleanupEmptyFolders ?? config.cleanupEmptyFolders !== false,
    };
  }

  async function plan(opts: PlanOptions): Promise<PlanItem[]> {
    const files = await deps.files.list({ status: 'present' });
    if (files.length === 0) throw new Invalid('No scanned items to organize. Run a scan first.');
    return planFiles(files, opts);
  }

  function counters(total: number): RunCounters {
    return { totalFiles: total, processedFiles: 0, successCount: 0, skipCount: 0, errorCount: 0, currentFile: null, errors: [] };
  }
  const note = (c: RunCounters, msg: string) => {
    if (c.errors.length < MAX_ERRORS) c.errors.push(msg);
  };

  async function applyRun(run: OrganizerRun, signal: AbortSignal): Promise<RunCounters> {
    const opts = await planOptions(run.options as OrganizeRequest);
    const items = await plan(opts);
    const c = counters(items.length);
    let seq = 0;
    for (const item of items) {
      if (signal.aborted) {
        note(c, 'Stopped by request');
        await sql.saveCounters(run.id, c);
        throw new PermanentJobError('Organization stopped');
      }
      c.currentFile = item.source;
      if (item.status === 'pending' && !run.dryRun) {
        try {
          const done = await applyItem(item, opts.cleanupEmptyFolders);
          await sql.addEntry({
            id: randomHexId(),
            runId: run.id,
            seq: seq++,
            operation: item.operation,
            source: item.source,
            destination: item.destination,
            appliedAt: at(),
            ...done,
          });
          if (item.operation === 'move') await sql.moveFileRow(item.source, item.destination, await rootOf(item.destination, opts.roots));
          c.successCount++;
        } catch (err) {
          if (err instanceof ConflictError) c.skipCount++;
          else c.errorCount++;
          note(c, `${item.source}: ${err instanceof Error ? err.message : String(err)}`);
        }
      } else if (item.status === 'pending') c.successCount++;
      else if (item.status === 'error') {
        c.errorCount++;
        note(c, `${item.source}: ${item.error}`);
      } else {
        c.skipCount++;
        if (item.error) note(c, `${item.source}: ${item.error}`);
      }
      c.processedFiles++;
      await sql.saveCounters(run.id, c);
    }
    c.currentFile = null;
    await sql.saveCounters(run.id, c);
    return c;
  }

  /** The real path of the configured root holding `path`. */
  async function rootOf(path: string, roots: readonly string[]): Promise<string | undefined> {
    for (const r of roots) {
      const real = await resolveInsideRoots(r, roots);
      if (real !== undefined && (await resolveInsideRoots(path, [real])) !== undefined) return real;
    }
    return undefined;
  }

  return {
    async status() {
      return statusOf((await active()) ?? (await sql.latestRun()));
    },

    /**
     * POST /api/organizer/preview. Without `page` the whole plan (legacy). With it, `limit` items
     * after `cursor` in source-path order plus `nextCursor` (null on the last page); each page is
     * cut from the whole plan, so a rename or conflict is the same as in the whole answer.
     */
    async preview(req: OrganizeRequest, page?: PreviewPage) {
      if (await active()) throw new Duplicate('Organization in progress');
      const items = await plan(await planOptions(req));
      const legacy = (list: PlanItem[]) => list.map(({ kind: _k, root: _r, ...rest }) => rest);
      if (!page) return { totalItems: items.length, items: legacy(items) };
      const after = page.cursor !== undefined ? decodePreviewCursor(page.cursor) : undefined;
      const sorted = [...items].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
      const start = after === undefined ? 0 : sorted.findIndex((i) => i.source > after);
      const rest = start < 0 ? [] : sorted.slice(start);
      const slice = rest.slice(0, page.limit);
      const nextCursor = rest.length > page.limit ? encodePreviewCursor(slice[slice.length - 1]!.source) : null;
      return { totalItems: items.length, items: legacy(slice), nextCursor };
    },

    /** POST /api/organizer/start: a run and its queued job (`dryRun` defaults to true, as in legacy). */
    async start(req: OrganizeRequest, by: string | null) {
      await assertIdle();
      const opts = await planOptions(req);
      const dryRun = req.dryRun ?? true;
      const id = randomHexId();
      const now = deps.now();
      await sql.insertRun({
        id,
        operation: opts.operation,
        dryRun,
        options: { ...req, operation: opts.operation },
        createdBy: by,
        createdAt: now.toISOString(),
      });
      await deps.queue.enqueue(ORGANIZE_JOB_TYPE, { runId: id }, { id, now, maxAttempts: 1 });
      return { runId: id, jobId: id, message: dryRun ? 'Dry run started' : 'Organization started', progress: statusOf(await sql.getRun(id)) };
    },

    async stop() {
      const run = await active();
      if (!run || run.status === 'undoing') throw new Duplicate('No organization in progress');
      if (run.status === 'queued') await sql.setStatus(run.id, ['queued'], 'failed', { finishedAt: at() });
      stops.get(run.id)?.abort();
      return { message: 'Organization stop requested', runId: run.id };
    },

    /** POST /api/organizer/undo: queues the undo of `runId` (default: the newest run with applied changes). */
    async undo(runId: string | undefined) {
      await assertIdle();
      const run = runId !== undefined ? await sql.getRun(runId) : (await sql.listRuns(50)).find((r) => !r.dryRun && r.status !== 'undone');
      if (!run) throw new NotFound(runId !== undefined ? 'Run not found' : 'Nothing to undo');
      const applied = (await sql.entries(run.id)).filter((e) => e.status !== 'undone');
      if (run.dryRun || applied.length === 0) throw new Invalid(`Nothing to undo: run ${run.id} changed no file`);
      const jobId = randomHexId();
      if (!(await sql.setStatus(run.id, ['completed', 'failed'], 'undoing'))) throw new Duplicate(`Run ${run.id} is ${run.status}`);
      await sql.setOptions(run.id, { ...(run.options as object), undoJobId: jobId });
      await deps.queue.enqueue(ORGANIZE_UNDO_JOB_TYPE, { runId: run.id }, { id: jobId, now: deps.now(), maxAttempts: 1 });
      return { runId: run.id, jobId, message: 'Undo started' };
    },

    async runs(limit = 50) {
      return sql.listRuns(limit);
    },

    async run(id: string) {
      const run = await sql.getRun(id);
      if (!run) throw new NotFound('Run not found');
      return { ...run, journal: await sql.entries(id) };
    },

    /** Queue handler of ORGANIZE_JOB_TYPE. */
    async runJob(payload: unknown, ctx: JobRunContext): Promise<RunCounters> {
      const runId = (payload as { runId?: unknown } | null)?.runId;
      const run = typeof runId === 'string' ? await sql.getRun(runId) : undefined;
      if (!run) throw new PermanentJobError('organizer run not found');
      if (!(await sql.setStatus(run.id, ['queued'], 'organizing'))) throw new PermanentJobError(`organizer run ${run.id} is no longer queued`);
      const stop = new AbortController();
      stops.set(run.id, stop);
      const signal = AbortSignal.any([stop.signal, ctx.signal]);
      try {
        const c = await applyRun(run, signal);
        await sql.setStatus(run.id, ['organizing'], 'completed', { finishedAt: at() });
        return c;
      } catch (err) {
        const current = (await sql.getRun(run.id)) ?? run;
        if (!(err instanceof PermanentJobError))
          await sql.saveCounters(run.id, { ...current, errors: [...current.errors, err instanceof Error ? err.message : String(err)] });
        await sql.setStatus(run.id, ['organizing'], 'failed', { finishedAt: at() });
        throw err instanceof PermanentJobError ? err : new PermanentJobError(err instanceof Error ? err.message : String(err));
      } finally {
        stops.delete(run.id);
      }
    },

    /** Queue handler of ORGANIZE_UNDO_JOB_TYPE: the journal backwards; what cannot be undone is named and kept. */
    async undoJob(payload: unknown): Promise<{ undone: number; failed: number }> {
      const runId = (payload as { runId?: unknown } | null)?.runId;
      const run = typeof runId === 'string' ? await sql.getRun(runId) : undefined;
      if (run?.status !== 'undoing') throw new PermanentJobError('organizer run not found or not undoing');
      const roots = await loadMediaRoots(deps.settings);
      const errors = [...run.errors];
      let undone = 0;
      let failed = 0;
      for (const e of (await sql.entries(run.id)).filter((x) => x.status !== 'undone').reverse()) {
        try {
          await undoEntry(e, roots);
          if (e.operation === 'move') await sql.moveFileRow(e.destination, e.source, await rootOf(e.source, roots));
          await sql.markEntry(e.id, 'undone', null, at());
          undone++;
        } catch (err) {
          const msg = err instanceof Error ? err.message : String(err);
          await sql.markEntry(e.id, 'undo_failed', msg, null);
          if (errors.length < MAX_ERRORS) errors.push(`undo: ${msg}`);
          failed++;
        }
      }
      await sql.saveCounters(run.id, { ...run, currentFile: null, errors });
      if (failed === 0) await sql.setStatus(run.id, ['undoing'], 'undone', { undoneAt: at() });
      else await sql.setStatus(run.id, ['undoing'], 'completed');
      return { undone, failed };
    },
  };
}
export type OrganizerRuns = ReturnType<typeof createOrganizerRuns>;
