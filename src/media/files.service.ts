import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, extname, join, relative, sep } from 'node:path';
import { Invalid, NotFound } from '../errors.js';
import type { LibraryStore } from '../library/library.store.js';
import type { LibraryItem } from '../library/library.types.js';
import { locateInRoots } from '../settings/media-roots.js';
import type { SettingsDocumentStore } from '../settings/settings.store.js';
import { type ArtworkStore, readImage, writeExclusive } from './artwork.store.js';
import { type BrowseRoot, browseRoots, findRoot, guardRel } from './path-guard.js';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.gif', '.webp', '.bmp', '.tbn']);

/** One entry of GET /api/files/browse (legacy shape). */
export interface BrowseEntry {
  name: string;
  rel: string;
  type: 'dir' | 'file';
  size: number;
  mtime: string | null;
  isImage: boolean;
}

export type BrowseAnswer =
  | { atRoot: true; roots: { id: string; name: string }[] }
  | {
      atRoot: false;
      root: { id: string; name: string };
      rel: string;
      parent: string | null;
      items: BrowseEntry[];
      total: number;
      nextCursor: string | null;
    };

export interface BrowseQuery {
  root?: string;
  rel?: string;
  limit: number;
  cursor?: string;
}

/** Sort key: folders first, then by name (code-unit order, the same on every machine). */
const keyOf = (dir: boolean, name: string) => `${dir ? 0 : 1}/${name}`;

export function encodeCursor(dir: boolean, name: string): string {
  return Buffer.from(keyOf(dir, name), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[01]\//.test(key)) throw new Invalid('cursor: not a cursor this server returned');
  return key;
}

/** Root-relative path with forward slashes ('' for the root itself). */
const relOf = (rootReal: string, path: string) => relative(rootReal, path).split(sep).join('/');

export interface FilesServiceDeps {
  settings: Pick<SettingsDocumentStore, 'get'>;
  library: Pick<LibraryStore, 'getById' | 'patch'>;
  artwork: ArtworkStore;
  now: () => Date;
}

/** The file browser and artwork copy (API.md §11), every path through the shared root guard. */
export function createFilesService(deps: FilesServiceDeps) {
  /** An entry's type, following a symlink only when it stays inside the root (the shared guard); undefined = leave it out. */
  async function entryType(dirReal: string, d: Dirent, root: BrowseRoot): Promise<'dir' | 'file' | undefined> {
    if (d.isDirectory()) return 'dir';
    if (d.isFile()) return 'file';
    if (!d.isSymbolicLink()) return undefined;
    const at = await locateInRoots(join(dirReal, d.name), [root]);
    const st = at && (await stat(at.path).catch(() => undefined));
    return st?.isDirectory() ? 'dir' : st?.isFile() ? 'file' : undefined;
  }

  return {
    async browse(q: BrowseQuery): Promise<BrowseAnswer> {
      const roots = await browseRoots(deps.settings);
      if (q.root === undefined || q.root === '') return { atRoot: true, roots: roots.map((r) => ({ id: r.id, name: r.name })) };
      const root = findRoot(roots, q.root);
      const at = await guardRel(root, q.rel ?? '');
      const dirSt = await stat(at.path).catch(() => undefined);
      if (!dirSt) throw new NotFound('not_found', { message: 'rel: no such folder' });
      if (!dirSt.isDirectory()) throw new Invalid('not_a_directory', { message: 'rel: not a folder' });
      const after = q.cursor ? decodeCursor(q.cursor) : undefined;
      const entries: { name: string; type: 'dir' | 'file'; key: string }[] = [];
      for (const d of await readdir(at.path, { withFileTypes: true })) {
        const type = await entryType(at.path, d, root);
        if (type) entries.push({ name: d.name, type, key: keyOf(type === 'dir', d.name) });
      }
      entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const rest = after === undefined ? entries : entries.filter((e) => e.key > after);
      const page = rest.slice(0, q.limit);
      const items: BrowseEntry[] = [];
      for (const e of page) {
        const st = await stat(join(at.path, e.name)).catch(() => undefined);
        items.push({
          name: e.name,
          rel: relOf(at.rootReal, join(at.path, e.name)),
          type: e.type,
          size: e.type === 'file' ? (st?.size ?? 0) : 0,
          mtime: st ? st.mtime.toISOString() : null,
          isImage: e.type === 'file' && IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase()),
        });
      }
      const rel = relOf(at.rootReal, at.path);
      const last = page.at(-1);
      return {
        atRoot: false,
        root: { id: root.id, name: root.name },
        rel,
        parent: rel === '' ? null : relOf(at.rootReal, dirname(at.path)),
        items,
        total: entries.length,
        nextCursor: last && rest.length > page.length ? encodeCursor(last.type === 'dir', last.name) : null,
      };
    },

    /** Copies an image next to itself as `<kind>.<ext>` or `season<NN>.<ext>` (legacy), never over a file unless `overwrite`. */
    async assign(body: { root: string; rel: string; kind: 'poster' | 'background' | 'banner' | 'season'; season?: number; overwrite?: boolean }) {
      const root = findRoot(await browseRoots(deps.settings), body.root);
      const at = await guardRel(root, body.rel);
      const { bytes, type } = await readImage(at.path, deps.artwork.maxBytes).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') throw new NotFound('not_found', { message: 'rel: no such file' });
        throw err;
      });
      if (body.kind === 'season' && body.season === undefined) throw new Invalid('season: required when kind is season');
      const base = body.kind === 'season' ? `season${String(body.season).padStart(2, '0')}` : body.kind;
      const target = join(dirname(at.path), `${base}.${type.ext}`);
      await writeExclusive(target, bytes, body.overwrite === true);
      return { target: `/${relOf(at.rootReal, target)}` };
    },

    /** Copies an image into the artwork store and sets it as the item's poster or background URL. */
    async setItemArtwork(body: { root: string; rel: string; itemId: string; kind: 'poster' | 'background' }): Promise<{ url: string; item: LibraryItem }> {
      const item = await deps.library.getById(body.itemId);
      if (!item) throw new NotFound('not_found', { message: 'itemId: no library item has this id' });
      const root = findRoot(await browseRoots(deps.settings), body.root);
      const at = await guardRel(root, body.rel);
      const stored = await deps.artwork.importFile(at.path).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') throw new NotFound('not_found', { message: 'rel: no such file' });
        throw err;
      });
      const r = await deps.library.patch(item.id, body.kind === 'poster' ? { posterUrl: stored.url } : { backgroundUrl: stored.url }, deps.now().toISOString());
      if (r.status !== 'updated') throw new NotFound('not_found', { message: 'itemId: no library item has this id' });
      return { url: stored.url, item: r.item };
    },
  };
}
export type FilesService = ReturnType<typeof createFilesService>;
