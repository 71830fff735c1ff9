import { lstatSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { fdir } from 'fdir';
import { resolveInsideRoots } from '../settings/media-roots.js';

/**
 * Every file path under `folder` (absolute), read by `fdir`. Symlinks are not followed while
 * walking: a symlinked folder is never entered, and a symlinked file is judged by fileStat.
 */
export function walkFiles(folder: string, signal: AbortSignal): Promise<string[]> {
  return new fdir().withFullPaths().withAbortSignal(signal).crawl(folder).withPromise();
}

export type FileStat = { kind: 'file'; size: number; mtimeMs: number } | { kind: 'skip' } | { kind: 'outside' };

/**
 * Size and mtime of a regular file; a symlink counts only when its target is a regular file
 * inside one of `roots` (`outside` otherwise: reported, never read).
 */
export async function fileStat(path: string, roots: readonly string[]): Promise<FileStat> {
  try {
    // lstat is a few microseconds on a local disk: the synchronous call skips a promise and a
    // thread-pool round trip per file (100,000 files: seconds of the scan). Symlinks go async.
    const l = lstatSync(path, { throwIfNoEntry: false });
    if (l === undefined) return { kind: 'skip' };
    if (l.isSymbolicLink()) {
      if ((await resolveInsideRoots(path, roots)) === undefined) return { kind: 'outside' };
      const s = await stat(path);
      return s.isFile() ? { kind: 'file', size: s.size, mtimeMs: Math.trunc(s.mtimeMs) } : { kind: 'skip' };
    }
    return l.isFile() ? { kind: 'file', size: l.size, mtimeMs: Math.trunc(l.mtimeMs) } : { kind: 'skip' };
  } catch {
    return { kind: 'skip' };
  }
}
