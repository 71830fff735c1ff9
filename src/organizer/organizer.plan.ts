/**
 * What the organizer would do: for every present file the scanner recorded (media_files) whose
 * kind has a destination folder, the path the naming templates give it, and whether it can go
 * there. Never decides to overwrite: a taken destination is a `conflict` naming that path (or,
 * with conflictResolution `rename`, the first free "name (2).ext"). Every source and destination
 * must resolve inside the media roots; anything else is an `error` item and is never touched.
 */
import { basename, dirname, extname, join } from 'node:path';
import type { MediaFileRecord } from '../media/media.types.js';
import { resolveInsideRoots } from '../settings/media-roots.js';
import { type FileOperation, taken } from './organizer.fs.js';
import { type NamingKind, namingInputOf, renderName } from './organizer.naming.js';

export type PlanStatus = 'pending' | 'skipped' | 'conflict' | 'error';

/** One file in a preview (legacy keys first). */
export interface PlanItem {
  source: string;
  destination: string;
  operation: FileOperation;
  status: PlanStatus;
  error?: string;
  kind: NamingKind;
  /** The real path of the media root the source lies in. */
  root: string;
}

/** The destination folders by legacy key, as the organizer config and the request name them. */
export type Destinations = Partial<Record<'movies' | 'series' | 'music' | 'books', string>>;

export const DESTINATION_KEYS: Readonly<Record<NamingKind, keyof Destinations>> = { movie: 'movies', series: 'series', music: 'music', book: 'books' };

export interface PlanOptions {
  /** Real destination root per kind (already checked to be inside the media roots). */
  destinations: Partial<Record<NamingKind, string>>;
  operation: FileOperation;
  conflictResolution: 'skip' | 'rename';
  namingConfig: unknown;
  roots: readonly string[];
}

const MAX_RENAME = 100;

async function freeName(path: string, reserved: Set<string>): Promise<string | undefined> {
  const ext = extname(path);
  const stem = basename(path, ext);
  for (let n = 2; n <= MAX_RENAME; n++) {
    const candidate = join(dirname(path), `${stem} (${n})${ext}`);
    if (!reserved.has(candidate) && !(await taken(candidate))) return candidate;
  }
  return undefined;
}

/** The plan for `files`, in path order; `reserved` holds destinations earlier items already claimed. */
export async function planFiles(files: readonly MediaFileRecord[], opts: PlanOptions): Promise<PlanItem[]> {
  const reserved = new Set<string>();
  const items: PlanItem[] = [];
  for (const f of files) {
    const destRoot = opts.destinations[f.kind];
    if (destRoot === undefined) continue;
    const name = renderName(f.kind, namingInputOf(f.parsed), opts.namingConfig);
    const wanted = join(destRoot, ...name.folders, name.filename);
    const item: PlanItem = { source: f.path, destination: wanted, operation: opts.operation, status: 'pending', kind: f.kind, root: f.root };
    items.push(item);
    const source = await resolveInsideRoots(f.path, opts.roots);
    if (source !== f.path) {
      item.status = 'error';
      item.error = `path_not_allowed: the source no longer resolves inside the media folders: ${f.path}`;
      continue;
    }
    if (!(await taken(f.path))) {
      item.status = 'error';
      item.error = `source missing: ${f.path} (run a scan)`;
      continue;
    }
    const dest = await resolveInsideRoots(wanted, opts.roots);
    if (dest === undefined) {
      item.status = 'error';
      item.error = `path_not_allowed: the destination leaves the media folders: ${wanted}`;
      continue;
    }
    item.destination = dest;
    if (dest === f.path) {
      item.status = 'skipped';
      continue;
    }
    if (reserved.has(dest) || (await taken(dest))) {
      const free = opts.conflictResolution === 'rename' ? await freeName(dest, reserved) : undefined;
      if (free === undefined) {
        item.status = 'conflict';
        item.error = reserved.has(dest) ? `another file of this run goes to ${dest}` : `destination exists: ${dest}`;
        continue;
      }
      item.destination = free;
    }
    reserved.add(item.destination);
  }
  return items;
}
