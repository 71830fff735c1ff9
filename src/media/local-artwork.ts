import { lstat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { resolveInsideRoots } from '../settings/media-roots.js';

/** Artwork files next to media that players (Kodi, Jellyfin, Plex) write, in order of preference. */
const POSTER_NAMES = ['poster', 'folder', 'cover'];
const BACKGROUND_NAMES = ['fanart', 'backdrop', 'background'];
const EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp'];

const ARTWORK_NAMES = new Set([...POSTER_NAMES, ...BACKGROUND_NAMES].flatMap((n) => EXTENSIONS.map((e) => `${n}${e}`)));

/** True for a file name findLocalArtwork looks for (`poster.jpg`, `fanart.png`, ...). */
export function isArtworkName(path: string): boolean {
  return ARTWORK_NAMES.has(basename(path));
}

/**
 * The artwork files a walk of `folder` found (paths for which isArtworkName holds): inside that
 * folder they answer without asking the disk; above it the disk is asked.
 */
export interface WalkedArtwork {
  folder: string;
  files: ReadonlySet<string>;
}

function walkedKnows(walked: WalkedArtwork | undefined, dir: string): boolean {
  if (!walked) return false;
  const rel = relative(walked.folder, dir);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`));
}

async function firstExisting(dir: string, names: readonly string[], rootReal: string, walked?: WalkedArtwork): Promise<string | undefined> {
  const known = walkedKnows(walked, dir);
  for (const name of names) {
    for (const ext of EXTENSIONS) {
      const candidate = join(dir, `${name}${ext}`);
      if (known && !walked!.files.has(candidate)) continue;
      const st = await lstat(candidate).catch(() => undefined);
      if (!st || !(st.isFile() || st.isSymbolicLink())) continue;
      // A symlink out of the root is never read (the shared root check).
      const inside = await resolveInsideRoots(candidate, [rootReal]);
      if (inside !== undefined) return inside;
    }
  }
  return undefined;
}

/**
 * `poster.jpg` / `folder.jpg` / `cover.jpg` and `fanart.jpg` / `backdrop.jpg` in the media file's
 * folder or, for a season folder, the show folder above it (never above the root).
 */
export async function findLocalArtwork(mediaFile: string, rootReal: string, walked?: WalkedArtwork): Promise<{ poster?: string; background?: string }> {
  const dirs = [dirname(mediaFile)];
  const parent = dirname(dirs[0]!);
  if (dirs[0] !== rootReal && parent !== rootReal && (await resolveInsideRoots(parent, [rootReal])) !== undefined) dirs.push(parent);
  const out: { poster?: string; background?: string } = {};
  for (const dir of dirs) {
    out.poster ??= await firstExisting(dir, POSTER_NAMES, rootReal, walked);
    out.background ??= await firstExisting(dir, BACKGROUND_NAMES, rootReal, walked);
  }
  return out;
}
