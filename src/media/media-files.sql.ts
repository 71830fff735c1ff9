import type { Kysely } from 'kysely';
import { fromJson, toJson } from '../db/json.js';
import type { DB } from '../db/schema.js';
import type { MediaRootKind } from '../settings/media-roots.js';
import type { MediaFileRecord, ParsedMedia } from './media.types.js';

/** What a rescan compares against: the known files under one root, by path. */
export interface KnownFile {
  id: string;
  size: number;
  mtimeMs: number;
  status: 'present' | 'missing';
  itemId: string | null;
}

export interface MediaFileWrite {
  id: string;
  path: string;
  root: string;
  kind: MediaRootKind;
  itemId: string | null;
  size: number;
  mtimeMs: number;
  quality: string | null;
  parsed: ParsedMedia;
}

const CHUNK = 200;

/** The `media_files` table (migration 0006), the same on both engines. */
export function createMediaFilesSql(db: Kysely<DB>) {
  return {
    /** Every known file recorded under `root` whose path lies in `folder` (the root or a folder inside it). */
    async knownUnder(root: string, folder: string): Promise<Map<string, KnownFile>> {
      const prefix = folder.endsWith('/') ? folder : `${folder}/`;
      const rows = await db.selectFrom('media_files').select(['id', 'path', 'size', 'mtime_ms', 'status', 'item_id']).where('root', '=', root).execute();
      const out = new Map<string, KnownFile>();
      for (const r of rows)
        if (r.path === folder || r.path.startsWith(prefix))
          out.set(r.path, { id: r.id, size: Number(r.size), mtimeMs: Number(r.mtime_ms), status: r.status, itemId: r.item_id });
      return out;
    },

    /** The known files among `paths` (any root), by path. */
    async byPaths(paths: readonly string[]): Promise<Map<string, KnownFile>> {
      const out = new Map<string, KnownFile>();
      for (let i = 0; i < paths.length; i += CHUNK) {
        const rows = await db
          .selectFrom('media_files')
          .select(['id', 'path', 'size', 'mtime_ms', 'status', 'item_id'])
          .where('path', 'in', paths.slice(i, i + CHUNK))
          .execute();
        for (const r of rows) out.set(r.path, { id: r.id, size: Number(r.size), mtimeMs: Number(r.mtime_ms), status: r.status, itemId: r.item_id });
      }
      return out;
    },

    /** New files (one statement per chunk, in one transaction). */
    async insert(files: readonly MediaFileWrite[], at: string): Promise<void> {
      if (files.length === 0) return;
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < files.length; i += CHUNK) {
          await trx
            .insertInto('media_files')
            .values(
              files.slice(i, i + CHUNK).map((f) => ({
                id: f.id,
                path: f.path,
                root: f.root,
                kind: f.kind,
                item_id: f.itemId,
                size: f.size,
                mtime_ms: f.mtimeMs,
                quality: f.quality,
                parsed: toJson(f.parsed),
                status: 'present' as const,
                missing_since: null,
                first_seen_at: at,
                last_seen_at: at,
              })),
            )
            .execute();
        }
      });
    },

    /** Files that changed on disk (or came back): new size, mtime and parse; present again. */
    async update(files: readonly MediaFileWrite[], at: string): Promise<void> {
      if (files.length === 0) return;
      await db.transaction().execute(async (trx) => {
        for (const f of files) {
          await trx
            .updateTable('media_files')
            .set({
              item_id: f.itemId,
              size: f.size,
              mtime_ms: f.mtimeMs,
              quality: f.quality,
              parsed: toJson(f.parsed),
              status: 'present',
              missing_since: null,
              last_seen_at: at,
            })
            .where('id', '=', f.id)
            .execute();
        }
      });
    },

    /** Files no longer on disk: kept, marked `missing` since `at` (already missing ones keep their time). */
    async markMissing(ids: readonly string[], at: string): Promise<void> {
      for (let i = 0; i < ids.length; i += CHUNK) {
        await db
          .updateTable('media_files')
          .set({ status: 'missing', missing_since: at })
          .where('id', 'in', ids.slice(i, i + CHUNK))
          .where('status', '=', 'present')
          .execute();
      }
    },

    async list(opts: { itemId?: string; status?: 'present' | 'missing' } = {}): Promise<MediaFileRecord[]> {
      let q = db.selectFrom('media_files').selectAll();
      if (opts.itemId !== undefined) q = q.where('item_id', '=', opts.itemId);
      if (opts.status !== undefined) q = q.where('status', '=', opts.status);
      const rows = await q.orderBy('path').execute();
      return rows.map((r) => ({
        id: r.id,
        path: r.path,
        root: r.root,
        kind: r.kind,
        itemId: r.item_id,
        size: Number(r.size),
        mtimeMs: Number(r.mtime_ms),
        quality: r.quality,
        parsed: fromJson<ParsedMedia>(r.parsed) as ParsedMedia,
        status: r.status,
        missingSince: r.missing_since,
        firstSeenAt: r.first_seen_at,
        lastSeenAt: r.last_seen_at,
      }));
    },
  };
}
export type MediaFilesSql = ReturnType<typeof createMediaFilesSql>;
