/**
 * Content verification and the security scan (API.md §9): real ffprobe (and, when asked, a full
 * ffmpeg decode) on files inside the media roots, judged by content.rules.ts against the verify
 * settings; the result of every checked file is stored (content_checks). Every path a client
 * names is resolved and must lie inside a media root (403 `path_not_allowed` otherwise, before
 * anything is read).
 */
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { fdir } from 'fdir';
import { Forbidden, Invalid } from '../errors.js';
import { decodeErrors, ffprobe } from '../media/ffprobe.js';
import { MEDIA_EXTENSIONS } from '../media/media.parse.js';
import { fileStat } from '../media/media.walk.js';
import { loadMediaRoots, resolveInsideRoots } from '../settings/media-roots.js';
import type { SettingsDocumentStore } from '../settings/settings.store.js';
import { asDocument } from '../settings/settings.types.js';
import { type ContentOptions, type ContentVerifyResult, judgeContent, unreadable } from './content.rules.js';
import type { ContentChecksSql } from './content.sql.js';
import { nameIssues, type SecurityIssue } from './security.rules.js';
import { scanFile } from './security.scan.js';
import { thresholdsFrom } from './verify.rules.js';
import { VERIFY_SETTINGS_KEY } from './verify.service.js';
import type { VerifySettings } from './verify.types.js';

export const PATH_NOT_ALLOWED = 'path_not_allowed';
const MAX_FOLDER_FILES = 10_000;
const CHECKED_EXTENSIONS = new Set([...MEDIA_EXTENSIONS.movie, ...MEDIA_EXTENSIONS.music]);

export interface ContentServiceDeps {
  settings: Pick<SettingsDocumentStore, 'get'>;
  checks: ContentChecksSql;
  now: () => Date;
}

export interface BatchResult {
  allPassed: boolean;
  totalFiles: number;
  totalIssues: number;
  passedCount: number;
  failedCount: number;
  results: Record<string, ContentVerifyResult>;
}

export function createContentService(deps: ContentServiceDeps) {
  const at = () => deps.now().toISOString();

  /** The resolved path inside a media root, else 403 (the same answer whether it exists or not). */
  async function inside(path: unknown, field = 'path'): Promise<{ path: string; roots: string[] }> {
    if (typeof path !== 'string' || path === '') throw new Invalid('Path is required', { message: `${field} is required (a non-empty string)` });
    const roots = await loadMediaRoots(deps.settings);
    const real = await resolveInsideRoots(path, roots);
    if (real === undefined) throw new Forbidden(PATH_NOT_ALLOWED, { message: `${field} must be inside a media folder (settings.json mediaFolders)` });
    return { path: real, roots };
  }

  /** Regular files under `folder` (symlinks out of the roots skipped), at most MAX_FOLDER_FILES. */
  async function filesUnder(folder: string, recursive: boolean, roots: readonly string[], keep: (p: string) => boolean): Promise<string[]> {
    const st = await stat(folder).catch(() => undefined);
    if (!st?.isDirectory()) throw new Invalid('Folder not found', { message: 'path must be an existing folder' });
    let crawler = new fdir().withFullPaths();
    if (!recursive) crawler = crawler.withMaxDepth(0);
    const all = (await crawler.crawl(folder).withPromise()).filter(keep).sort();
    const out: string[] = [];
    for (const p of all) {
      if (out.length >= MAX_FOLDER_FILES) break;
      if ((await fileStat(p, roots)).kind === 'file') out.push(p);
    }
    return out;
  }

  /** Probes and judges one resolved file and stores the result. */
  async function checkFile(path: string, opts: ContentOptions, jobId: string | null, signal?: AbortSignal): Promise<ContentVerifyResult> {
    const settings = asDocument(await deps.settings.get(VERIFY_SETTINGS_KEY)) as VerifySettings;
    const st = await stat(path).catch(() => undefined);
    let result: ContentVerifyResult;
    if (!st?.isFile()) result = unreadable('file_not_found', st ? 'Path is not a file' : 'File not found', at());
    else {
      const securityIssues = opts.checkSecurity === false ? undefined : await scanFile(path);
      const probed = await ffprobe(path, signal);
      if (!probed.ok) result = unreadable(probed.missing ? 'probe_unavailable' : 'probe_failed', probed.message, at(), securityIssues);
      else {
        const decode = opts.checkCorruption ? await decodeErrors(path, signal) : undefined;
        result = judgeContent(probed.info, opts, thresholdsFrom(settings), { securityIssues, decode, verifiedAt: at() });
        if (opts.checkCorruption && decode === undefined) {
          result.issues.push({ type: 'decoder_unavailable', severity: 'warning', message: 'ffmpeg is not installed; the corruption check was skipped' });
        }
      }
    }
    if (result.ok) await deps.checks.save(path, result, jobId, at());
    return result;
  }

  async function batch(paths: readonly string[], opts: ContentOptions, keys: readonly string[] = paths, jobId: string | null = null): Promise<BatchResult> {
    const results: Record<string, ContentVerifyResult> = {};
    let totalIssues = 0;
    let passedCount = 0;
    for (let i = 0; i < paths.length; i++) {
      const r = await checkFile(paths[i]!, opts, jobId);
      results[keys[i]!] = r;
      totalIssues += r.issues.length + r.securityIssues.length;
      if (r.passed) passedCount++;
    }
    return { allPassed: passedCount === paths.length, totalFiles: paths.length, totalIssues, passedCount, failedCount: paths.length - passedCount, results };
  }

  async function securityOf(files: readonly string[]) {
    const issues: SecurityIssue[] = [];
    for (const f of files) issues.push(...(await scanFile(f)));
    return { ok: true, safe: !issues.some((i) => i.severity !== 'warning'), issues, scannedFiles: files.length, scannedAt: at() };
  }

  return {
    inside,
    checkFile,

    /** POST /api/verify/content. */
    async content(path: unknown, opts: ContentOptions): Promise<ContentVerifyResult> {
      return checkFile((await inside(path)).path, opts, null);
    },

    /** POST /api/verify/content/quick: the issues as sentences. */
    async quick(path: unknown) {
      const r = await checkFile((await inside(path)).path, { checkSecurity: true }, null);
      return { ok: r.ok, passed: r.passed, issues: [...r.issues, ...r.securityIssues].map((i) => i.message) };
    },

    /** POST /api/verify/content/batch: every path is checked against the roots before any file is read. */
    async batch(paths: unknown, opts: ContentOptions): Promise<BatchResult> {
      if (!Array.isArray(paths) || paths.length === 0) throw new Invalid('Paths are required', { message: 'paths is required (a non-empty array of strings)' });
      if (paths.length > 500) throw new Invalid('Too many paths', { message: 'paths: at most 500 per batch' });
      const resolved: string[] = [];
      for (let i = 0; i < paths.length; i++) resolved.push((await inside(paths[i], `paths.${i}`)).path);
      return batch(resolved, opts, paths as string[]);
    },

    /** POST /api/verify/content/folder: the media files of a folder (not recursive unless asked). */
    async folder(path: unknown, recursive: boolean, opts: ContentOptions, jobId: string | null = null) {
      const { path: folder, roots } = await inside(path);
      const files = await filesUnder(folder, recursive, roots, (p) => CHECKED_EXTENSIONS.has(extname(p).slice(1).toLowerCase()));
      if (files.length === 0)
        return {
          ok: true,
          allPassed: true,
          totalFiles: 0,
          totalIssues: 0,
          passedCount: 0,
          failedCount: 0,
          results: {},
          message: 'No media files found in folder',
        };
      return { ok: true, ...(await batch(files, opts, files, jobId)) };
    },

    /** POST /api/verify/security: one file (or every file of a folder, recursively). */
    async security(path: unknown, recursive = true) {
      const { path: real, roots } = await inside(path);
      const st = await stat(real).catch(() => undefined);
      if (!st) return { ok: false, safe: false, issues: [], scannedFiles: 0, scannedAt: at(), error: 'File not found' };
      return securityOf(st.isDirectory() ? await filesUnder(real, recursive, roots, () => true) : [real]);
    },

    /** POST /api/verify/security/quick: the name alone; nothing is read. */
    securityQuick(filename: unknown) {
      if (typeof filename !== 'string' || filename === '') throw new Invalid('Filename is required', { message: 'filename is required (a non-empty string)' });
      const issues = nameIssues(basename(filename));
      return issues.length === 0 ? { ok: true, safe: true } : { ok: true, safe: false, reason: issues[0]!.message };
    },
  };
}
export type ContentService = ReturnType<typeof createContentService>;
