/**
 * The file side of an import: find a finished download's main media file, name it under the
 * library root (`{Title} ({Year})/{Title} ({Year}) [{Quality}].{ext}`), and hardlink it there
 * (a copy when the download is on another filesystem), so the client can keep seeding.
 */
import { constants } from 'node:fs';
import { copyFile, link, mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join } from 'node:path';

export const VIDEO_EXTENSIONS = new Set(['.mkv', '.mp4', '.avi', '.m4v', '.ts', '.m2ts', '.wmv', '.mov', '.webm', '.mpg', '.mpeg']);
const SAMPLE = /(^|[^a-z])sample([^a-z]|$)/i;
const MAX_DEPTH = 4;
const MAX_ENTRIES = 10_000;

export interface MediaFile {
  path: string;
  size: number;
}

const isMedia = (name: string) => VIDEO_EXTENSIONS.has(extname(name).toLowerCase()) && !SAMPLE.test(name);

/** The largest video file (not a sample) at `contentPath` (a file, or a folder searched a few levels deep). */
export async function mainMediaFile(contentPath: string): Promise<MediaFile | undefined> {
  const st = await stat(contentPath);
  if (st.isFile()) return isMedia(contentPath) ? { path: contentPath, size: st.size } : undefined;
  let best: MediaFile | undefined;
  let seen = 0;
  const walk = async (dir: string, depth: number): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (++seen > MAX_ENTRIES) return;
      const p = join(dir, e.name);
      if (e.isDirectory() && depth < MAX_DEPTH) await walk(p, depth + 1);
      else if (e.isFile() && isMedia(e.name)) {
        const size = (await stat(p)).size;
        if (!best || size > best.size) best = { path: p, size };
      }
    }
  };
  await walk(contentPath, 0);
  return best;
}

/** A title made safe as one path segment on every filesystem (no separators, reserved characters, or leading dots). */
export function safeSegment(text: string): string {
  const clean = text
    .replace(/[\u0000-\u001f<>:"/\\|?*]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+|[.\s]+$/g, '');
  return clean === '' ? 'Unknown' : clean.slice(0, 180);
}

/** `{Title} ({Year})/{Title} ({Year}) [{Quality}]{.ext}`; the year and quality parts are left out when unknown. */
export function importRelativePath(p: { title: string; year?: number; quality?: string; ext: string }): string {
  const name = safeSegment(p.year === undefined ? p.title : `${p.title} (${p.year})`);
  const quality = p.quality ? ` [${safeSegment(p.quality)}]` : '';
  return join(name, `${name}${quality}${p.ext.toLowerCase()}`);
}

/**
 * Hardlinks `src` to `dest` (creating its folder), or copies it when they are on different
 * filesystems (EXDEV) or the filesystem has no hardlinks. An existing `dest` of the same size is
 * taken as this import done before; another file there is an error (nothing is overwritten).
 */
export async function hardlinkOrCopy(src: string, dest: string): Promise<'hardlink' | 'copy' | 'existing'> {
  await mkdir(dirname(dest), { recursive: true });
  try {
    await link(src, dest);
    return 'hardlink';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return existing(src, dest);
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EMLINK') throw err;
  }
  try {
    await copyFile(src, dest, constants.COPYFILE_EXCL);
    return 'copy';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return existing(src, dest);
    throw err;
  }
}

async function existing(src: string, dest: string): Promise<'existing'> {
  const [a, b] = await Promise.all([stat(src), stat(dest)]);
  if (a.size !== b.size) throw new Error(`another file is already at ${dest}`);
  return 'existing';
}

/** The library root for a wanted kind: `mediaFolders` entries whose `type` matches (movies / series / the kind itself). */
export function libraryRootFor(kind: string, folders: unknown): string | undefined {
  const k = kind.trim().toLowerCase();
  const type = ['movie', 'movies', 'film', 'films'].includes(k)
    ? 'movies'
    : ['tv', 'series', 'show', 'shows', 'episode', 'episodes'].includes(k)
      ? 'series'
      : k;
  if (!Array.isArray(folders)) return undefined;
  for (const f of folders) {
    if (f === null || typeof f !== 'object') continue;
    const { path, type: t } = f as { path?: unknown; type?: unknown };
    if (typeof path !== 'string' || !isAbsolute(path)) continue;
    const ft = typeof t === 'string' ? t.trim().toLowerCase() : '';
    if (ft === type || ft === `${type}s` || `${ft}s` === type) return path;
  }
  return undefined;
}
