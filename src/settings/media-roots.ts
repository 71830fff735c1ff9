/**
 * THE check "is this path inside a configured media root?" (verify now; the media-on-disk work
 * reuses it). Roots are `settings.json` `mediaFolders[].path` (FORMATS.md §3.12; `enabled` is
 * ignored, as the legacy scanner ignored it). Both sides are resolved with realpath, so `..`
 * segments and symlinks cannot lead out of a root. A path that does not exist is judged by its
 * deepest existing ancestor (realpath'd) plus the missing tail, so "outside" gets the same answer
 * whether the file exists or not.
 */
import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { asDocument } from './settings.types.js';

/** The settings document that holds `mediaFolders`. */
export const MEDIA_ROOTS_DOCUMENT = 'settings';

/** Root paths named by a `settings.json` document (anything malformed is skipped, never thrown). */
export function mediaRootPaths(appSettings: unknown): string[] {
  const folders = asDocument(appSettings).mediaFolders;
  if (!Array.isArray(folders)) return [];
  const out: string[] = [];
  for (const f of folders) {
    const p = f !== null && typeof f === 'object' ? (f as { path?: unknown }).path : undefined;
    if (typeof p === 'string' && p.trim() !== '' && isAbsolute(p)) out.push(p);
  }
  return out;
}

/** realpath of `p`, or of its deepest existing ancestor joined with the part that does not exist. */
async function realpathLenient(p: string): Promise<string> {
  const missing: string[] = [];
  let cur = resolve(p);
  for (;;) {
    try {
      return join(await realpath(cur), ...missing.reverse());
    } catch {
      const parent = dirname(cur);
      if (parent === cur) return resolve(p);
      missing.push(basename(cur));
      cur = parent;
    }
  }
}

function isWithin(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * The resolved path when `path` lies inside one of `roots` (a root that does not exist is
 * skipped), else undefined. Relative paths are never inside: a root check must not depend on
 * the server's working directory.
 */
export async function resolveInsideRoots(path: string, roots: readonly string[]): Promise<string | undefined> {
  if (!isAbsolute(path) || path.includes('\0')) return undefined;
  const target = await realpathLenient(path);
  for (const root of roots) {
    let real: string;
    try {
      real = await realpath(root);
    } catch {
      continue;
    }
    if (isWithin(real, target)) return target;
  }
  return undefined;
}

/** The configured roots, read from the settings store now (no cache: a change applies at once). */
export async function loadMediaRoots(settings: { get(key: string): Promise<unknown> }): Promise<string[]> {
  return mediaRootPaths(await settings.get(MEDIA_ROOTS_DOCUMENT));
}

/** The library kind each legacy folder `type` fills (plural in settings.json, FORMATS.md §0.5). */
export const FOLDER_KINDS = { movies: 'movie', series: 'series', music: 'music', books: 'book' } as const;
export type MediaFolderType = keyof typeof FOLDER_KINDS;
export type MediaRootKind = (typeof FOLDER_KINDS)[MediaFolderType];

/** A configured root with the kind it holds. */
export interface MediaRoot {
  path: string;
  type: MediaFolderType;
  kind: MediaRootKind;
}

/** The legacy scanner mapped an unknown folder type to movies (FORMATS.md §3.2); singular forms are accepted too. */
export function folderKind(type: unknown): { type: MediaFolderType; kind: MediaRootKind } {
  const t = typeof type === 'string' ? type.trim().toLowerCase() : '';
  const plural = (t === 'book' ? 'books' : t === 'movie' ? 'movies' : t === 'tv' || t === 'shows' ? 'series' : t) as MediaFolderType;
  return plural in FOLDER_KINDS ? { type: plural, kind: FOLDER_KINDS[plural] } : { type: 'movies', kind: 'movie' };
}

/** The roots with their kinds, from a `settings.json` document (malformed entries skipped). */
export function mediaRoots(appSettings: unknown): MediaRoot[] {
  const folders = asDocument(appSettings).mediaFolders;
  if (!Array.isArray(folders)) return [];
  const out: MediaRoot[] = [];
  for (const f of folders) {
    if (f === null || typeof f !== 'object') continue;
    const { path, type } = f as { path?: unknown; type?: unknown };
    if (typeof path === 'string' && path.trim() !== '' && isAbsolute(path)) out.push({ path, ...folderKind(type) });
  }
  return out;
}

/**
 * Why `path` cannot serve as a media root, or undefined when it can: it must be an existing
 * directory this process may read and list (and write, when `writable`, for organizing).
 */
export async function mediaRootProblem(path: string, opts: { writable?: boolean } = {}): Promise<string | undefined> {
  try {
    const real = await realpath(path);
    if (!(await stat(real)).isDirectory()) return 'not a directory';
    await access(real, constants.R_OK | constants.X_OK | (opts.writable ? constants.W_OK : 0));
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'does not exist';
    if (code === 'EACCES' || code === 'EPERM') return opts.writable ? 'not readable and writable' : 'not readable';
    return 'not accessible';
  }
}

/** A path found inside a configured root: its real path, the root, and the root's real path. */
export interface LocatedPath {
  path: string;
  root: MediaRoot;
  rootReal: string;
}

/**
 * Where `path` lies among `roots`: the first root (in settings order) whose real path holds the
 * real path of `path`, or undefined (relative paths, NUL bytes, symlinks out and `..` escapes
 * included). Every route that takes or returns a path goes through this one check.
 */
export async function locateInRoots(path: string, roots: readonly MediaRoot[]): Promise<LocatedPath | undefined> {
  if (!isAbsolute(path) || path.includes('\0')) return undefined;
  const target = await realpathLenient(path);
  for (const root of roots) {
    const rootReal = await realpath(root.path).catch(() => undefined);
    if (rootReal !== undefined && isWithin(rootReal, target)) return { path: target, root, rootReal };
  }
  return undefined;
}
