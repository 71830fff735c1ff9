import { realpath } from 'node:fs/promises';
import { Duplicate, Forbidden, Invalid } from '../errors.js';
import type { JobQueue } from '../jobs/jobs.queue.js';
import type { JobRunContext } from '../jobs/jobs.types.js';
import { newLibraryId } from '../library/library.service.js';
import type { LibraryStore } from '../library/library.store.js';
import type { LibraryItem } from '../library/library.types.js';
import { randomHexId } from '../security/tokens.js';
import {
  folderKind,
  locateInRoots,
  MEDIA_ROOTS_DOCUMENT,
  type MediaFolderType,
  type MediaRoot,
  mediaRootProblem,
  mediaRoots,
} from '../settings/media-roots.js';
import type { SettingsDocumentStore } from '../settings/settings.store.js';
import type { ArtworkStore } from './artwork.store.js';
import { findLocalArtwork, isArtworkName, type WalkedArtwork } from './local-artwork.js';
import { itemKeyString, parseMediaFile } from './media.parse.js';
import type { ItemKey, ParsedMedia, ScanFolder, ScanProgress } from './media.types.js';
import { fileStat, walkFiles } from './media.walk.js';
import type { KnownFile, MediaFilesSql, MediaFileWrite } from './media-files.sql.js';
import { PATH_NOT_ALLOWED } from './path-guard.js';
import { type PreviewFile, previewFiles, previewItems } from './scanner.preview.js';

/** Queue job type of a library scan (payload `{folders:[{path,type}]}`). */
export const MEDIA_SCAN_JOB_TYPE = 'media-scan';
export { PATH_NOT_ALLOWED } from './path-guard.js';

const FLUSH_EVERY = 500;
const STAT_CONCURRENCY = 16;
const MAX_ERRORS = 100;
/** A preview answers within a request: a walk that takes longer is cut off. */
const PREVIEW_TIMEOUT_MS = 60_000;

export interface ScannerDeps {
  settings: Pick<SettingsDocumentStore, 'get'>;
  library: Pick<LibraryStore, 'create' | 'patch'>;
  /** When given, a new item takes the poster/fanart found next to its files (local-artwork.ts). */
  artwork?: Pick<ArtworkStore, 'importFile'>;
  files: MediaFilesSql;
  queue: Pick<JobQueue, 'enqueue'>;
  /** True while a queued scanner import runs (scanner.import.ts): both write media_files. */
  importing?: () => boolean;
  now: () => Date;
}

function idle(): ScanProgress {
  return {
    status: 'idle',
    totalFiles: 0,
    scannedFiles: 0,
    currentPath: '',
    foundItems: 0,
    errors: [],
    startedAt: null,
    completedAt: null,
    changes: { added: 0, changed: 0, unchanged: 0, missing: 0 },
  };
}

function copy(p: ScanProgress): ScanProgress {
  return { ...p, errors: [...p.errors], changes: { ...p.changes } };
}

/** Runs `fn` over `items` with at most `limit` at once, in order of start. */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * The library scanner (API.md §2 `/api/scanner/*`): a queued job walks the media roots, records
 * every media file in `media_files` and adds the items it finds to the library. A rescan parses
 * and writes only files whose size or mtime changed; files that vanished are marked missing.
 * Progress lives in this process (the queue worker runs in the same process as the routes).
 */
export function createScannerService(deps: ScannerDeps) {
  let progress = idle();
  let abort: AbortController | undefined;

  const at = () => deps.now().toISOString();
  const roots = async (): Promise<MediaRoot[]> => mediaRoots(await deps.settings.get(MEDIA_ROOTS_DOCUMENT));
  const note = (msg: string) => {
    if (progress.errors.length < MAX_ERRORS) progress.errors.push(msg);
  };

  /** The resolved folder and the real path of the root holding it, or 403 (the shared guard). */
  async function insideRoot(path: string, all: readonly MediaRoot[]): Promise<{ folder: string; root: string }> {
    const at = await locateInRoots(path, all);
    if (at === undefined) throw new Forbidden(PATH_NOT_ALLOWED, { message: 'path must be inside a media folder (settings.json mediaFolders)' });
    return { folder: at.path, root: at.rootReal };
  }

  /** The configured root whose real path is `real`. */
  async function rootOf(real: string, all: readonly MediaRoot[]): Promise<MediaRoot | undefined> {
    for (const r of all) if ((await realpath(r.path).catch(() => undefined)) === real) return r;
    return undefined;
  }

  /** The library item for `key`: matched by kind + case-insensitive title (+ year), else added. */
  /** Sets a new item's posterUrl/backgroundUrl from artwork files next to its media; an unreadable or non-image file is skipped. */
  async function adoptLocalArtwork(item: LibraryItem, mediaFile: string, rootReal: string, walked?: WalkedArtwork): Promise<void> {
    if (!deps.artwork) return;
    const found = await findLocalArtwork(mediaFile, rootReal, walked);
    const patch: { posterUrl?: string; backgroundUrl?: string } = {};
    for (const [field, file] of [
      ['posterUrl', found.poster],
      ['backgroundUrl', found.background],
    ] as const) {
      if (file === undefined) continue;
      const stored = await deps.artwork.importFile(file).catch((err: unknown) => {
        note(`Artwork skipped: ${file} (${(err as { code?: string }).code ?? 'unreadable'})`);
        return undefined;
      });
      if (stored) patch[field] = stored.url;
    }
    if (Object.keys(patch).length) await deps.library.patch(item.id, patch, at());
  }

  async function itemFor(key: ItemKey, first: { path: string; size: number; parsed: ParsedMedia }, rootReal: string, walked?: WalkedArtwork): Promise<string> {
    const base: Partial<LibraryItem> = {};
    if (key.year !== undefined) base.year = key.year;
    if (first.parsed.quality !== undefined) base.quality = first.parsed.quality;
    if (first.parsed.source !== undefined) base.source = first.parsed.source;
    base.filePath = first.path;
    base.fileSize = first.size;
    let title = key.title;
    for (let attempt = 0; attempt < 3; attempt++) {
      const r = await deps.library.create({ ...base, kind: key.kind, id: newLibraryId(deps.now()), title }, at());
      if (r.status === 'duplicate_id') continue;
      const y = r.item.year;
      // Same title, another year: a different work; the title is unique per kind, so it gets "(year)".
      if (r.status === 'exists' && key.year !== undefined && typeof y === 'number' && y !== key.year && title === key.title) {
        title = `${key.title} (${key.year})`;
        continue;
      }
      if (r.status === 'created') await adoptLocalArtwork(r.item, first.path, rootReal, walked);
      return r.item.id;
    }
    throw new Error(`could not add library item "${key.title}"`);
  }

  async function scanFolder(
    target: { folder: string; root: string; kind: MediaRoot['kind'] },
    rootPaths: string[],
    items: Map<string, string>,
    found: Set<string>,
    signal: AbortSignal,
  ): Promise<void> {
    const paths = await walkFiles(target.folder, signal);
    progress.totalFiles += paths.length;
    // The walk already saw every artwork file under the folder: no disk probes for new items there.
    const walked: WalkedArtwork = { folder: target.folder, files: new Set(paths.filter(isArtworkName)) };
    const known = await deps.files.knownUnder(target.root, target.folder);
    const seen = new Set<string>();
    let inserts: MediaFileWrite[] = [];
    let updates: MediaFileWrite[] = [];
    const flush = async () => {
      const [i, u] = [inserts, updates];
      inserts = [];
      updates = [];
      await deps.files.insert(i, at());
      await deps.files.update(u, at());
    };
    for (let start = 0; start < paths.length; start += FLUSH_EVERY) {
      if (signal.aborted) throw new Error('Scan aborted');
      const slice = paths.slice(start, start + FLUSH_EVERY);
      const stats = new Map<string, Awaited<ReturnType<typeof fileStat>>>();
      await eachLimited(slice, STAT_CONCURRENCY, async (p) => {
        stats.set(p, await fileStat(p, rootPaths));
      });
      for (const path of slice) {
        progress.scannedFiles++;
        progress.currentPath = path;
        const st = stats.get(path)!;
        if (st.kind === 'outside') note(`Outside the media folders (symlink): ${path}`);
        if (st.kind !== 'file') continue;
        const k: KnownFile | undefined = known.get(path);
        if (k) seen.add(path);
        if (k && k.status === 'present' && k.size === st.size && k.mtimeMs === st.mtimeMs) {
          progress.changes.unchanged++;
          if (k.itemId !== null) found.add(k.itemId);
          continue;
        }
        const p = parseMediaFile(target.kind, target.root, path);
        if (!p) continue;
        const key = itemKeyString(p.item);
        let itemId = items.get(key);
        if (itemId === undefined) {
          itemId = await itemFor(p.item, { path, size: st.size, parsed: p.parsed }, target.root, walked);
          items.set(key, itemId);
        }
        found.add(itemId);
        const write: MediaFileWrite = {
          id: k?.id ?? randomHexId(),
          path,
          root: target.root,
          kind: target.kind,
          itemId,
          size: st.size,
          mtimeMs: st.mtimeMs,
          quality: p.parsed.quality ?? null,
          parsed: p.parsed,
        };
        if (k) {
          updates.push(write);
          progress.changes.changed++;
        } else {
          inserts.push(write);
          progress.changes.added++;
        }
      }
      await flush();
      progress.foundItems = found.size;
    }
    const gone = [...known].filter(([p, k]) => !seen.has(p) && k.status === 'present').map(([, k]) => k.id);
    await deps.files.markMissing(gone, at());
    progress.changes.missing += gone.length;
  }

  const api = {
    status(): ScanProgress {
      return copy(progress);
    },

    /** POST /api/scanner/start: checks the folders now (403 outside the roots) and queues the scan. */
    async start(req: { folders?: ScanFolder[] }): Promise<ScanProgress> {
      if (progress.status === 'scanning') throw new Duplicate('Scan already in progress', { progress: copy(progress) });
      if (deps.importing?.()) throw new Duplicate('Import in progress - cannot scan');
      const all = await roots();
      const folders = req.folders ?? all.map((r) => ({ path: r.path, type: r.type }));
      if (folders.length === 0) throw new Invalid('No folders configured for scanning');
      for (const f of folders) {
        // A configured root that is gone is "not accessible"; a client's folder must be inside a root first.
        if (req.folders === undefined && (await mediaRootProblem(f.path)) !== undefined) throw new Invalid(`Folder not accessible: ${f.path}`);
        const { folder } = await insideRoot(f.path, all);
        if ((await mediaRootProblem(folder)) !== undefined) throw new Invalid(`Folder not accessible: ${f.path}`);
      }
      progress = { ...idle(), status: 'scanning', startedAt: at() };
      abort = new AbortController();
      try {
        await deps.queue.enqueue(MEDIA_SCAN_JOB_TYPE, { folders }, { now: deps.now(), maxAttempts: 1 });
      } catch (err) {
        progress = { ...progress, status: 'failed', errors: ['could not be queued'], completedAt: at() };
        throw err;
      }
      return copy(progress);
    },

    /**
     * The onboarding scan: every configured root that is accessible now (the others are skipped,
     * as legacy never failed there); false when none is or a scan is already running.
     */
    async startConfigured(): Promise<boolean> {
      if (progress.status === 'scanning') return false;
      const ok: ScanFolder[] = [];
      for (const r of await roots()) if ((await mediaRootProblem(r.path)) === undefined) ok.push({ path: r.path, type: r.type });
      if (ok.length === 0) return false;
      await api.start({ folders: ok });
      return true;
    },

    /** GET /api/scanner/preview: what a scan of every accessible root would add, nothing saved. */
    async previewItems(): Promise<LibraryItem[]> {
      if (progress.status === 'scanning') throw new Duplicate('Scan in progress - cannot preview');
      const all = await roots();
      const rootPaths = all.map((r) => r.path);
      const files: { kind: MediaRoot['kind']; root: string; file: PreviewFile }[] = [];
      for (const r of all) {
        if ((await mediaRootProblem(r.path)) !== undefined) continue;
        const target = await insideRoot(r.path, all);
        for (const file of await previewFiles({ ...target, kind: r.kind }, rootPaths, AbortSignal.timeout(PREVIEW_TIMEOUT_MS)))
          files.push({ kind: r.kind, root: target.root, file });
      }
      return previewItems(files, deps.now());
    },

    /** POST /api/scanner/preview: the parsed media files of one folder inside a root (403 outside). */
    async previewFolder(path: string, type?: MediaFolderType): Promise<PreviewFile[]> {
      const all = await roots();
      const target = await insideRoot(path, all);
      if ((await mediaRootProblem(target.folder)) !== undefined) throw new Invalid(`Path not accessible: ${path}`);
      const kind = type !== undefined ? folderKind(type).kind : ((await rootOf(target.root, all))?.kind ?? 'movie');
      return previewFiles(
        { ...target, kind },
        all.map((r) => r.path),
        AbortSignal.timeout(PREVIEW_TIMEOUT_MS),
      );
    },

    /** POST /api/scanner/stop. */
    stop(): void {
      if (progress.status !== 'scanning') throw new Duplicate('No scan in progress');
      abort?.abort();
    },

    /** The queue handler: re-checks every folder against the roots, then walks them. */
    async runJob(payload: unknown, run: JobRunContext): Promise<ScanProgress> {
      const folders = ((payload as { folders?: unknown } | null)?.folders ?? []) as ScanFolder[];
      if (progress.status !== 'scanning') progress = { ...idle(), status: 'scanning', startedAt: at() };
      abort ??= new AbortController();
      const signal = AbortSignal.any([run.signal, abort.signal]);
      const items = new Map<string, string>();
      const found = new Set<string>();
      try {
        const all = await roots();
        const rootPaths = all.map((r) => r.path);
        for (const f of Array.isArray(folders) ? folders : []) {
          if (signal.aborted) throw new Error('Scan aborted');
          let target: { folder: string; root: string };
          try {
            target = await insideRoot(String(f.path), all);
          } catch {
            note(`Folder not inside the media folders: ${String(f.path)}`);
            continue;
          }
          await scanFolder({ ...target, kind: folderKind(f.type).kind }, rootPaths, items, found, signal);
        }
        progress = { ...progress, status: 'completed', currentPath: '', completedAt: at() };
      } catch (err) {
        note(signal.aborted ? 'Scan aborted' : err instanceof Error ? err.message : String(err));
        progress = { ...progress, status: 'failed', completedAt: at() };
      } finally {
        abort = undefined;
      }
      return copy(progress);
    },

    /** The files recorded for one library item (or all), for the API and tests. */
    files: (opts: { itemId?: string; status?: 'present' | 'missing' } = {}) => deps.files.list(opts),
  };
  return api;
}
export type ScannerService = ReturnType<typeof createScannerService>;
