import { randomBytes } from 'node:crypto';
import { Duplicate, Invalid, NotFound } from '../errors.js';
import type { AuditActor, AuditRecorder } from '../system/audit.types.js';
import { searchTokens } from './library.search.js';
import type { LibraryStore } from './library.store.js';
import {
  type CreateLibraryItemBody,
  LIBRARY_PAGE_DEFAULT,
  LIBRARY_SORTS,
  type LibraryCursor,
  type LibraryItem,
  type LibraryKind,
  type LibraryPatch,
  type LibrarySort,
} from './library.types.js';

/** Legacy library id: base36 ms timestamp + 6 random base36 chars (FORMATS.md §0.4). */
export function newLibraryId(now: Date): string {
  const bytes = randomBytes(6);
  let rand = '';
  for (const b of bytes) rand += (b % 36).toString(36);
  return now.getTime().toString(36) + rand;
}

/** Opaque keyset cursor: base64url of `[sort, key, seq]`. */
export function encodeCursor(c: LibraryCursor): string {
  return Buffer.from(JSON.stringify([c.sort, c.key, c.seq]), 'utf8').toString('base64url');
}

export function decodeCursor(text: string, sort: LibrarySort): LibraryCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    parsed[0] !== sort ||
    typeof parsed[1] !== 'string' ||
    !Number.isSafeInteger(parsed[2]) ||
    !(LIBRARY_SORTS as readonly string[]).includes(parsed[0])
  ) {
    throw new Invalid('cursor: invalid cursor (it must come from a previous page with the same sort)');
  }
  return { sort, key: parsed[1], seq: parsed[2] as number };
}

export interface LibraryPageRequest {
  q?: string;
  kind?: LibraryKind;
  sort?: LibrarySort;
  limit?: number;
  cursor?: string;
}

export interface LibraryPatchBody {
  kind?: LibraryKind;
  title?: string;
  posterUrl?: string | null;
  backgroundUrl?: string | null;
}

const FULL_LIST_BATCH = 2000;

/** Changes are audited with the caller's id (`system` when no caller is given). */
export function createLibraryService(deps: { library: LibraryStore; audit: AuditRecorder; now: () => Date }) {
  const audit = (by: AuditActor, action: string, id: string, before?: LibraryItem, after?: LibraryItem) =>
    deps.audit.record({ actor: by, entity: 'library_item', entityId: id, action, before, after });
  const { library } = deps;
  return {
    /**
     * Every item in insertion order, in batches (the legacy `{items}` list, built without one
     * huge array). Keyset batches on `seq` rather than a Kysely `.stream()`: a stream holds the
     * single SQLite connection (every other request would wait for a slow client) and keeps a
     * cached statement busy; separate short queries interleave with other requests.
     */
    async *allBatches(batchSize = FULL_LIST_BATCH): AsyncGenerator<LibraryItem[]> {
      let after = -1;
      for (;;) {
        const { items, lastSeq } = await library.batchAfter(after, batchSize);
        if (items.length === 0) return;
        yield items;
        if (items.length < batchSize) return;
        after = lastSeq;
      }
    },

    async page(req: LibraryPageRequest) {
      const sort = req.sort ?? 'title';
      const after = req.cursor !== undefined && req.cursor !== '' ? decodeCursor(req.cursor, sort) : undefined;
      const r = await library.query({ tokens: searchTokens(req.q), kind: req.kind, sort, limit: req.limit ?? LIBRARY_PAGE_DEFAULT, after });
      const nextCursor = r.next ? encodeCursor(r.next) : null;
      // `totalIsEstimate` only when it is true: an exact answer keeps the v0.3 shape.
      return r.totalIsEstimate
        ? { items: r.items, total: r.total, totalIsEstimate: true as const, nextCursor }
        : { items: r.items, total: r.total, nextCursor };
    },

    async get(key: string): Promise<LibraryItem> {
      const item = await library.findByIdOrTitle(key);
      if (!item) throw new NotFound('not_found');
      return item;
    },

    /** Legacy POST: same kind + case-insensitive title returns the existing item unchanged. */
    async create(body: CreateLibraryItemBody, by: AuditActor = 'system'): Promise<LibraryItem> {
      const now = deps.now();
      const id = body.id !== undefined && body.id !== '' ? body.id : newLibraryId(now);
      const item: LibraryItem = { id, kind: body.kind, title: body.title };
      if (body.posterUrl !== undefined) item.posterUrl = body.posterUrl;
      if (body.backgroundUrl !== undefined) item.backgroundUrl = body.backgroundUrl;
      const r = await library.create(item, now.toISOString());
      if (r.status === 'duplicate_id') throw new Duplicate('duplicate_id');
      if (r.status === 'created') await audit(by, 'create', r.item.id, undefined, r.item);
      return r.item;
    },

    async patch(id: string, body: LibraryPatchBody, by: AuditActor = 'system'): Promise<LibraryItem> {
      const before = await library.findByIdOrTitle(id);
      const patch: LibraryPatch = {};
      if (body.kind !== undefined) patch.kind = body.kind;
      if (body.title !== undefined && body.title.trim() !== '') patch.title = body.title; // blank title: ignored (legacy)
      if (body.posterUrl !== undefined) patch.posterUrl = body.posterUrl;
      if (body.backgroundUrl !== undefined) patch.backgroundUrl = body.backgroundUrl;
      const r = await library.patch(id, patch, deps.now().toISOString());
      if (r.status === 'not_found') throw new NotFound('not_found');
      if (r.status === 'duplicate_title') throw new Duplicate('duplicate_title');
      await audit(by, 'update', r.item.id, before?.id === r.item.id ? before : undefined, r.item);
      return r.item;
    },

    /** Legacy artwork: first item with exactly this title; banner/season are accepted and ignored. */
    async setArtwork(body: { title: string; tab?: string; url: string }, by: AuditActor = 'system'): Promise<LibraryItem> {
      const item = await library.findByTitle(body.title);
      if (!item) throw new NotFound('not_found');
      const tab = body.tab ?? 'poster';
      if (tab !== 'poster' && tab !== 'background') return item;
      const r = await library.patch(item.id, tab === 'poster' ? { posterUrl: body.url } : { backgroundUrl: body.url }, deps.now().toISOString());
      if (r.status !== 'updated') throw new NotFound('not_found');
      await audit(by, 'update', item.id, item, r.item);
      return r.item;
    },

    /** No cascade: wanted entries, grabs and verify results stay (legacy). */
    async remove(id: string, by: AuditActor = 'system'): Promise<LibraryItem> {
      const item = await library.remove(id);
      if (!item) throw new NotFound('not_found');
      await audit(by, 'delete', item.id, item);
      return item;
    },
  };
}

export type LibraryService = ReturnType<typeof createLibraryService>;
