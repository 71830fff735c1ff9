/**
 * The file side of the organizer: put a file at its destination by hardlink, copy or move, and
 * take it back, NEVER replacing an existing file. A hardlink or a move within one filesystem uses
 * link(2) (which fails when the target exists) and, for a move, unlinks the source afterwards; a
 * copy uses copyFile with COPYFILE_EXCL; a move across filesystems copies exclusively, keeps the
 * times and then removes the source. Folders it creates and empty folders it removes are
 * reported, so an undo can restore the tree exactly.
 */
import { constants } from 'node:fs';
import { copyFile, link, lstat, mkdir, readdir, rmdir, stat, unlink, utimes } from 'node:fs/promises';
import { dirname, isAbsolute, relative, sep } from 'node:path';

export type FileOperation = 'move' | 'copy' | 'hardlink';

/** A refusal that names the path in the way. */
export class ConflictError extends Error {
  constructor(readonly path: string) {
    super(`destination exists: ${path}`);
  }
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

/** True when anything (file, folder, symlink, even a dangling one) is at `path`. */
export async function taken(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    if (errno(err) === 'ENOENT') return false;
    throw err;
  }
}

/** Creates the missing folders of `dir`, returning the ones created (shallowest first). */
export async function makeFolders(dir: string): Promise<string[]> {
  const missing: string[] = [];
  let cur = dir;
  while (!(await taken(cur))) {
    missing.unshift(cur);
    const parent = dirname(cur);
    if (parent === cur) break;
    cur = parent;
  }
  for (const d of missing) await mkdir(d);
  return missing;
}

/** Removes `dirs` (deepest first) while they are empty; a folder that is not empty stays. */
export async function removeEmptyFolders(dirs: readonly string[]): Promise<void> {
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) {
    try {
      await rmdir(d);
    } catch (err) {
      if (errno(err) !== 'ENOTEMPTY' && errno(err) !== 'EEXIST' && errno(err) !== 'ENOENT') throw err;
    }
  }
}

/** Empty folders from `start` up to (not including) `stop`, removed; returns them deepest first. */
export async function pruneEmptyParents(start: string, stop: string): Promise<string[]> {
  const removed: string[] = [];
  let cur = start;
  for (;;) {
    const rel = relative(stop, cur);
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) break;
    if ((await readdir(cur)).length > 0) break;
    await rmdir(cur);
    removed.push(cur);
    cur = dirname(cur);
  }
  return removed;
}

/** Copies `from` to `to` (refusing an existing `to`) and gives the copy the source's times. */
async function copyExclusive(from: string, to: string): Promise<void> {
  try {
    await copyFile(from, to, constants.COPYFILE_EXCL);
  } catch (err) {
    if (errno(err) === 'EEXIST') throw new ConflictError(to);
    throw err;
  }
  const st = await stat(from);
  await utimes(to, st.atimeMs / 1000, st.mtimeMs / 1000);
}

async function linkExclusive(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (err) {
    if (errno(err) === 'EEXIST') throw new ConflictError(to);
    throw err;
  }
}

/** Puts `from` at `to` by `operation`; `to` must not exist (ConflictError names it otherwise). */
export async function placeFile(operation: FileOperation, from: string, to: string): Promise<void> {
  if (operation === 'copy') return copyExclusive(from, to);
  if (operation === 'hardlink') return linkExclusive(from, to);
  try {
    await linkExclusive(from, to);
  } catch (err) {
    if (errno(err) !== 'EXDEV' && errno(err) !== 'EPERM') throw err;
    await copyExclusive(from, to);
  }
  await unlink(from);
}

/** Size and mtime (ms) of a regular file, or undefined when `path` is not one. */
export async function fileIdentity(path: string): Promise<{ size: number; mtimeMs: number } | undefined> {
  try {
    const st = await lstat(path);
    return st.isFile() ? { size: st.size, mtimeMs: Math.floor(st.mtimeMs) } : undefined;
  } catch (err) {
    if (errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR') return undefined;
    throw err;
  }
}
