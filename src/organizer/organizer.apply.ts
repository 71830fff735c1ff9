/**
 * Applying a plan item and undoing a journal entry, one file at a time. Apply: create the missing
 * folders, place the file (never over an existing one), remove the source's emptied folders for a
 * move when asked, and report what undo needs. Undo: only when the destination is still the file
 * the run put there (same size and mtime) and, for a move, the source path is free again.
 */
import { unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { resolveInsideRoots } from '../settings/media-roots.js';
import { fileIdentity, makeFolders, placeFile, pruneEmptyParents, removeEmptyFolders, taken } from './organizer.fs.js';
import type { PlanItem } from './organizer.plan.js';
import type { JournalEntry } from './organizer.sql.js';

export interface Applied {
  createdDirs: string[];
  removedDirs: string[];
  size: number;
  mtimeMs: number;
}

/** Carries out one `pending` item; on failure the folders it created are removed again. */
export async function applyItem(item: PlanItem, cleanupEmptyFolders: boolean): Promise<Applied> {
  const createdDirs = await makeFolders(dirname(item.destination));
  try {
    await placeFile(item.operation, item.source, item.destination);
  } catch (err) {
    await removeEmptyFolders(createdDirs);
    throw err;
  }
  const id = await fileIdentity(item.destination);
  if (id === undefined) throw new Error(`the file did not arrive at ${item.destination}`);
  const removedDirs = item.operation === 'move' && cleanupEmptyFolders ? await pruneEmptyParents(dirname(item.source), item.root) : [];
  return { createdDirs, removedDirs, ...id };
}

/** Why `entry` cannot be undone, or undefined when it can. */
async function undoProblem(entry: JournalEntry, roots: readonly string[]): Promise<string | undefined> {
  for (const p of [entry.source, entry.destination]) {
    if ((await resolveInsideRoots(p, roots)) !== p) return `path_not_allowed: ${p} no longer resolves inside the media folders`;
  }
  const now = await fileIdentity(entry.destination);
  if (now === undefined || now.size !== entry.size || now.mtimeMs !== entry.mtimeMs) {
    return `${entry.destination} changed or vanished since it was organized; left as it is`;
  }
  if (entry.operation === 'move') {
    if (await taken(entry.source)) return `the original path is taken: ${entry.source}`;
    return undefined;
  }
  // A hardlink or copy is removed only while the original is still there.
  if ((await fileIdentity(entry.source)) === undefined) return `the original ${entry.source} is gone; its ${entry.operation} is kept`;
  return undefined;
}

/** Undoes one entry; throws an Error naming the reason when it must not. */
export async function undoEntry(entry: JournalEntry, roots: readonly string[]): Promise<void> {
  const problem = await undoProblem(entry, roots);
  if (problem !== undefined) throw new Error(problem);
  if (entry.operation === 'move') {
    for (const d of [...entry.removedDirs].sort((a, b) => a.length - b.length)) await makeFolders(d);
    await placeFile('move', entry.destination, entry.source);
  } else {
    await unlink(entry.destination);
  }
  await removeEmptyFolders(entry.createdDirs);
}
