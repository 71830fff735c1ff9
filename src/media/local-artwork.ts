import { lstat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { resolveInsideRoots } from '../settings/media-roots.js';

/** Artwork files next to media that players (Kodi, Jellyfin, Plex) write, in order of preference. */
const POSTER_NAMES = ['poster', 'folder', 'cover'];
const BACKGROUND_NAMES = ['fanart', 'backdrop', 'background'];
const EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp'];

async function firstExisting(dir: string, names: readonly string[], rootReal: string): Promise<string | undefined> {
  for (const name of names) {
    for (const ext of EXTENSIONS) {
      const candidate = join(dir, `${name}${ext}`);
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
export async function findLocalArtwork(mediaFile: string, rootReal: string): Promise<{ poster?: string; background?: string }> {
  const dirs = [dirname(mediaFile)];
  const parent = dirname(dirs[0]!);
  if (dirs[0] !== rootReal && parent !== rootReal && (await resolveInsideRoots(parent, [rootReal])) !== undefined) dirs.push(parent);
  const out: { poster?: string; background?: string } = {};
  for (const dir of dirs) {
    out.poster ??= await firstExisting(dir, POSTER_NAMES, rootReal);
    out.background ??= await firstExisting(dir, BACKGROUND_NAMES, rootReal);
  }
  return out;
}
