/**
 * THE check "is this path inside a configured media root?" (verify now; the media-on-disk work
 * reuses it). Roots are `settings.json` `mediaFolders[].path` (FORMATS.md §3.12; `enabled` is
 * ignored, as the legacy scanner ignored it). Both sides are resolved with realpath, so `..`
 * segments and symlinks cannot lead out of a root. A path that does not exist is judged by its
 * deepest existing ancestor (realpath'd) plus the missing tail, so "outside" gets the same answer
 * whether the file exists or not.
 */
import { realpath } from 'node:fs/promises';
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
