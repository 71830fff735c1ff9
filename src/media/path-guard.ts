import { createHash } from 'node:crypto';
import { basename, isAbsolute, join } from 'node:path';
import { Forbidden, NotFound } from '../errors.js';
import { type LocatedPath, locateInRoots, MEDIA_ROOTS_DOCUMENT, type MediaRoot, mediaRoots } from '../settings/media-roots.js';
import type { SettingsDocumentStore } from '../settings/settings.store.js';
import { asDocument } from '../settings/settings.types.js';

/** One answer for every path outside the media roots, whether it exists or not. */
export const PATH_NOT_ALLOWED = 'path_not_allowed';

export function pathNotAllowed(message = 'path must be inside a media folder (settings.json mediaFolders)'): Forbidden {
  return new Forbidden(PATH_NOT_ALLOWED, { message });
}

/** A media root as the file browser names it: a stable id (the folder's own `id`, else a hash of its path) and a name. */
export interface BrowseRoot extends MediaRoot {
  id: string;
  name: string;
}

export function rootId(path: string): string {
  return createHash('sha256').update(path).digest('hex').slice(0, 12);
}

/** The configured roots with ids and names, read now (a settings change applies at once). */
export async function browseRoots(settings: Pick<SettingsDocumentStore, 'get'>): Promise<BrowseRoot[]> {
  const doc = await settings.get(MEDIA_ROOTS_DOCUMENT);
  const raw = asDocument(doc).mediaFolders;
  const entries = Array.isArray(raw) ? raw : [];
  return mediaRoots(doc).map((root) => {
    const entry = entries.find((e) => e !== null && typeof e === 'object' && (e as { path?: unknown }).path === root.path) as
      | { id?: unknown; name?: unknown }
      | undefined;
    const id = typeof entry?.id === 'string' && entry.id.trim() !== '' ? entry.id : rootId(root.path);
    const name = typeof entry?.name === 'string' && entry.name.trim() !== '' ? entry.name : basename(root.path) || root.path;
    return { ...root, id, name };
  });
}

/**
 * THE check for a client's `(root, rel)` pair: `rel` is relative to the root (an absolute rel, a
 * NUL byte or anything that resolves, through `..` or a symlink, outside that root is 403). The
 * answer is the real path, inside the named root.
 */
export async function guardRel(root: BrowseRoot, rel: string): Promise<LocatedPath> {
  if (rel.includes('\0') || isAbsolute(rel) || /^[a-zA-Z]:[\\/]/.test(rel) || rel.startsWith('\\'))
    throw pathNotAllowed('rel must be a path relative to the root');
  const at = await locateInRoots(join(root.path, rel), [root]);
  if (at === undefined) throw pathNotAllowed();
  return at;
}

/** The root named by `id`, or 404 `invalid_root` (legacy code). */
export function findRoot(roots: readonly BrowseRoot[], id: string): BrowseRoot {
  const root = roots.find((r) => r.id === id);
  if (!root) throw new NotFound('invalid_root', { message: 'root: no media folder has this id (GET /api/files/browse lists them)' });
  return root;
}
