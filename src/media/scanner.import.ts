/**
 * POST /api/scanner/import (API.md §2): the files a client picked from a scan preview are written
 * onto existing library items, as legacy did (`filePath`, `fileSize`, `quality`, `source`, and
 * `metadata` merged with the sent `parsed` plus `importedAt`), and each file is recorded in
 * `media_files` linked to its item, so a later rescan keeps the link. Unknown item ids and files
 * that are not there are skipped and counted, as in legacy. Every path must lie inside a media
 * root (the shared check): one that does not refuses the whole request with 403 before anything
 * is read or written. A long list runs as a queued job with progress.
 */
import { basename, extname } from 'node:path';
import { z } from 'zod';
import { Duplicate, Invalid } from '../errors.js';
import type { JobQueue } from '../jobs/jobs.queue.js';
import type { JobRunContext } from '../jobs/jobs.types.js';
import { PermanentJobError } from '../jobs/jobs.types.js';
import type { LibraryStore } from '../library/library.store.js';
import { randomHexId } from '../security/tokens.js';
import { type LocatedPath, locateInRoots, MEDIA_ROOTS_DOCUMENT, type MediaRoot, mediaRoots } from '../settings/media-roots.js';
import type { SettingsDocumentStore } from '../settings/settings.store.js';
import { parseMediaFile } from './media.parse.js';
import type { ParsedMedia } from './media.types.js';
import { fileStat } from './media.walk.js';
import type { MediaFilesSql, MediaFileWrite } from './media-files.sql.js';
import { pathNotAllowed } from './path-guard.js';

/** Queue job type of a long import (payload: the request body). */
export const MEDIA_IMPORT_JOB_TYPE = 'media-import';
/** Lists up to this long are imported within the request (legacy's answer, with `count`); longer ones are queued. */
export const IMPORT_INLINE_MAX = 200;
/** The most files one request may import. */
export const IMPORT_MAX_FILES = 50_000;
const BATCH = 200;
const MAX_ERRORS = 100;

/** The ParsedMedia members an import copies into the item's metadata (anything else a client sends is dropped). */
const PARSED_TEXT = ['type', 'title', 'quality', 'source', 'codec', 'episodeTitle', 'artist', 'album', 'author', 'extension', 'originalFilename'] as const;
const PARSED_NUMBER = ['year', 'season', 'episode', 'track'] as const;

const importFile = z.object({
  path: z.string({ error: 'must be a string' }).min(1, { message: 'must not be empty' }).max(4096, { message: 'must be at most 4096 characters' }),
  itemId: z.string({ error: 'must be a string' }).min(1, { message: 'must not be empty' }).max(200, { message: 'must be at most 200 characters' }),
  parsed: z.record(z.string(), z.unknown(), { error: 'must be an object' }).optional(),
});

/** The request body (legacy: `{kind, files:[{path,itemId,parsed}]}`; `kind` is accepted and, as in legacy, not needed). */
export const importBody = z.object({
  kind: z.string().optional(),
  files: z
    .array(importFile, { error: 'must be an array' })
    .max(IMPORT_MAX_FILES, { message: `at most ${IMPORT_MAX_FILES} files per request` })
    .optional(),
});
export type ImportRequest = z.infer<typeof importBody>;
type ImportEntry = z.infer<typeof importFile>;

export interface ImportProgress {
  status: 'idle' | 'importing' | 'completed' | 'failed';
  jobId: string | null;
  total: number;
  processed: number;
  /** Files written onto an item. */
  count: number;
  /** Unknown item ids and files not there (or no longer inside a root when the job ran). */
  skipped: number;
  errors: string[];
  startedAt: string | null;
  completedAt: string | null;
}

export type ImportAnswer =
  | { queued: false; count: number; total: number; skipped: number }
  | { queued: true; jobId: string; total: number; progress: ImportProgress };

export interface ScannerImportDeps {
  settings: Pick<SettingsDocumentStore, 'get'>;
  library: Pick<LibraryStore, 'getById' | 'patch'>;
  files: Pick<MediaFilesSql, 'byPaths' | 'insert' | 'update'>;
  queue: Pick<JobQueue, 'enqueue' | 'get'>;
  /** True while the library scanner runs (both write `media_files`). */
  scanning: () => boolean;
  now: () => Date;
}

function idle(): ImportProgress {
  return { status: 'idle', jobId: null, total: 0, processed: 0, count: 0, skipped: 0, errors: [], startedAt: null, completedAt: null };
}

/** The known ParsedMedia members of a client's `parsed`, with the right types (others dropped). */
export function pickParsed(raw: Record<string, unknown> | undefined): Partial<ParsedMedia> {
  const out: Record<string, unknown> = {};
  if (!raw) return out;
  for (const k of PARSED_TEXT) if (typeof raw[k] === 'string') out[k] = raw[k];
  for (const k of PARSED_NUMBER) if (typeof raw[k] === 'number' && Number.isFinite(raw[k])) out[k] = raw[k];
  return out as Partial<ParsedMedia>;
}

/** Where each path lies among the roots, or 403 naming the first file outside them (nothing else done). */
async function locateAll(files: readonly ImportEntry[], roots: readonly MediaRoot[]): Promise<LocatedPath[]> {
  const out: LocatedPath[] = [];
  for (const [i, f] of files.entries()) {
    const at = await locateInRoots(f.path, roots);
    if (at === undefined) throw pathNotAllowed(`files[${i}].path must be inside a media folder (settings.json mediaFolders)`);
    out.push(at);
  }
  return out;
}

export function createScannerImport(deps: ScannerImportDeps) {
  let progress = idle();
  const at = () => deps.now().toISOString();
  const roots = async () => mediaRoots(await deps.settings.get(MEDIA_ROOTS_DOCUMENT));
  const note = (p: ImportProgress, msg: string) => {
    if (p.errors.length < MAX_ERRORS) p.errors.push(msg);
  };

  /** Writes the files onto their items, `BATCH` at a time; `located[i]` is where `files[i]` lies (undefined: skipped). */
  async function apply(files: readonly ImportEntry[], located: readonly (LocatedPath | undefined)[], p: ImportProgress, run?: JobRunContext): Promise<void> {
    const rootPaths = (await roots()).map((r) => r.path);
    for (let start = 0; start < files.length; start += BATCH) {
      if (run?.signal.aborted) throw new Error('Import aborted');
      const slice = files.slice(start, start + BATCH);
      const places = located.slice(start, start + BATCH);
      const known = await deps.files.byPaths(places.flatMap((l) => (l ? [l.path] : [])));
      const inserts: MediaFileWrite[] = [];
      const updates: MediaFileWrite[] = [];
      const written = new Map<string, MediaFileWrite>();
      for (const [i, f] of slice.entries()) {
        p.processed++;
        const place = places[i];
        if (!place) {
          p.skipped++;
          note(p, `Not inside the media folders: ${f.path}`);
          continue;
        }
        const st = await fileStat(place.path, rootPaths);
        const item = st.kind === 'file' ? await deps.library.getById(f.itemId) : undefined;
        if (st.kind !== 'file' || !item) {
          p.skipped++;
          continue;
        }
        const sent = pickParsed(f.parsed);
        const ours = parseMediaFile(place.root.kind, place.rootReal, place.path)?.parsed;
        const name = basename(place.path);
        const recordParse: ParsedMedia = ours ?? {
          type: 'unknown',
          title: typeof sent.title === 'string' ? sent.title : name,
          extension: extname(name).slice(1).toLowerCase(),
          originalFilename: name,
        };
        const quality = sent.quality ?? ours?.quality;
        const source = sent.source ?? ours?.source;
        const metadata = { ...(item.metadata ?? {}), ...sent, importedAt: at() };
        const patched = await deps.library.patch(
          item.id,
          { filePath: place.path, fileSize: st.size, ...(quality !== undefined ? { quality } : {}), ...(source !== undefined ? { source } : {}), metadata },
          at(),
        );
        if (patched.status !== 'updated') {
          p.skipped++;
          continue;
        }
        p.count++;
        const prior = written.get(place.path) ?? known.get(place.path);
        const write: MediaFileWrite = {
          id: prior?.id ?? randomHexId(),
          path: place.path,
          root: place.rootReal,
          kind: place.root.kind,
          itemId: item.id,
          size: st.size,
          mtimeMs: st.mtimeMs,
          quality: recordParse.quality ?? null,
          parsed: recordParse,
        };
        // The same path twice in one list: the last entry wins (one row per path).
        const pending = written.get(place.path);
        if (pending) Object.assign(pending, write);
        else {
          written.set(place.path, write);
          (known.has(place.path) ? updates : inserts).push(write);
        }
      }
      await deps.files.insert(inserts, at());
      await deps.files.update(updates, at());
      run?.progress?.({ percent: Math.round((p.processed / Math.max(1, p.total)) * 100), message: `${p.processed}/${p.total} files imported` });
    }
  }

  /**
   * A queued import whose job is over but whose progress here still says importing (another
   * server process ran it, or the job died): its stored result, else failed.
   */
  async function settle(): Promise<void> {
    if (progress.status !== 'importing' || progress.jobId === null) return;
    const job = await deps.queue.get(progress.jobId);
    if (job && job.status !== 'completed' && job.status !== 'failed') return;
    if (progress.status !== 'importing') return;
    const result = job?.result as Partial<ImportProgress> | undefined;
    if (job?.status === 'completed' && result && typeof result === 'object' && typeof result.count === 'number') {
      progress = { ...progress, ...result, errors: Array.isArray(result.errors) ? result.errors.map(String) : [] };
    } else {
      progress = { ...progress, status: 'failed', errors: [...progress.errors, job?.error ?? 'the import job is gone'], completedAt: at() };
    }
  }

  function assertFree(): void {
    if (progress.status === 'importing') throw new Duplicate('Import in progress', { progress: { ...progress, errors: [...progress.errors] } });
    if (deps.scanning()) throw new Duplicate('Scan in progress - cannot import');
  }

  return {
    /** In-memory and synchronous (the scanner asks it); the route calls `settle` first. */
    status(): ImportProgress {
      return { ...progress, errors: [...progress.errors] };
    },

    settle,

    /** The route: checks every path, then imports now (short list) or queues a job (long list). */
    async start(req: ImportRequest): Promise<ImportAnswer> {
      const files = req.files ?? [];
      if (files.length === 0) throw new Invalid('No files to import');
      const located = await locateAll(files, await roots());
      await settle();
      assertFree();
      if (files.length <= IMPORT_INLINE_MAX) {
        const p: ImportProgress = { ...idle(), status: 'importing', total: files.length, startedAt: at() };
        await apply(files, located, p);
        return { queued: false, count: p.count, total: files.length, skipped: p.skipped };
      }
      // The id is chosen first, so a worker that claims the job at once finds this progress as its own.
      const jobId = randomHexId();
      progress = { ...idle(), status: 'importing', jobId, total: files.length, startedAt: at() };
      try {
        await deps.queue.enqueue(MEDIA_IMPORT_JOB_TYPE, { files }, { now: deps.now(), maxAttempts: 1, id: jobId });
      } catch (err) {
        progress = { ...progress, status: 'failed', errors: ['could not be queued'], completedAt: at() };
        throw err;
      }
      return { queued: true, jobId, total: files.length, progress: { ...progress, errors: [] } };
    },

    /** The queue handler: the paths are checked again (the roots may have changed since); those now outside are skipped. */
    async runJob(payload: unknown, run: JobRunContext): Promise<ImportProgress> {
      const parsed = importBody.safeParse(payload);
      if (!parsed.success) throw new PermanentJobError('media-import: the job payload is not an import request');
      const files = parsed.data.files ?? [];
      if (progress.status !== 'importing' || progress.jobId !== run.job.id)
        progress = { ...idle(), status: 'importing', jobId: run.job.id, total: files.length, startedAt: at() };
      try {
        const all = await roots();
        const located: (LocatedPath | undefined)[] = [];
        for (const f of files) located.push(await locateInRoots(f.path, all));
        await apply(files, located, progress, run);
        progress = { ...progress, status: 'completed', completedAt: at() };
      } catch (err) {
        note(progress, err instanceof Error ? err.message : String(err));
        progress = { ...progress, status: 'failed', completedAt: at() };
      }
      return { ...progress, errors: [...progress.errors] };
    },
  };
}
export type ScannerImport = ReturnType<typeof createScannerImport>;
