import { indexedOverflow, indexedOverflowMessage } from '../db/indexed-limit.js';
import { Invalid } from '../errors.js';
import type { WantedStore } from './wanted.store.js';
import { type AddWantedBody, WANTED_SEARCH_FIELDS, type WantedItem, type WantedPage, wantedKey } from './wanted.types.js';

export interface WantedScanResult {
  key: string;
  found: number;
  grabbed: number;
}

const LIST_BATCH = 500;
/** Items of a page when a request names a cursor and no limit. */
export const WANTED_PAGE_DEFAULT = 100;

/** The store's batch cursor as the API shows it: opaque (base64url), so no client builds one. */
const encodeCursor = (next: string): string => Buffer.from(next, 'utf8').toString('base64url');
function decodeCursor(cursor: string): string {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (text === '' || encodeCursor(text) !== cursor) throw new Invalid('cursor: not a cursor of the wanted list');
  return text;
}

export function createWantedService(deps: {
  wanted: WantedStore;
  now: () => Date;
  /** The quality profiles a `qualityProfileId` must name (undefined: the defaults apply, as quality.json says). */
  profiles?: () => Promise<readonly { id: string }[] | undefined>;
}) {
  const { wanted } = deps;
  return {
    list: () => wanted.list(),

    /** The whole list in batches (the routes stream it: it can be long and is sent often). */
    async *listBatches(batchSize = LIST_BATCH): AsyncGenerator<WantedItem[]> {
      let after: string | null = null;
      do {
        const batch = await wanted.listBatch(after, batchSize);
        yield batch.items;
        after = batch.next;
      } while (after !== null);
    },

    /**
     * One keyset page of the list (list order) and the list's size: never the whole list, so a
     * write answered with a page costs the same at 50 items as at 50,000. limit 0: the size only.
     */
    async page(q: { limit?: number; cursor?: string }): Promise<WantedPage> {
      const limit = q.limit ?? WANTED_PAGE_DEFAULT;
      const after = q.cursor === undefined ? null : decodeCursor(q.cursor);
      const [batch, total] = await Promise.all([limit === 0 ? undefined : wanted.listBatch(after, limit), wanted.count()]);
      return { ok: true, items: batch?.items ?? [], total, nextCursor: batch?.next ? encodeCursor(batch.next) : null };
    },

    /** Dedupes on kind+id (the existing entry stays); the route answers the full list, like legacy. */
    async add(body: AddWantedBody): Promise<boolean> {
      // (kind, item_id) is a unique index: the limit the importer quarantines by, on every engine.
      const bytes = indexedOverflow(`${body.kind}${body.id}`);
      if (bytes !== undefined) throw new Invalid(`id: kind and id ${indexedOverflowMessage(bytes)}`);
      if (body.qualityProfileId !== undefined && deps.profiles) {
        const known = ((await deps.profiles()) ?? []).some((p) => p.id === body.qualityProfileId);
        if (!known) throw new Invalid(`qualityProfileId: no quality profile "${body.qualityProfileId}"`);
      }
      const item: WantedItem = { id: body.id, title: body.title, kind: body.kind, addedAt: deps.now().toISOString() };
      for (const field of WANTED_SEARCH_FIELDS) if (body[field] !== undefined) item[field] = body[field];
      return wanted.add(item);
    },

    async remove(kind: string, id: string): Promise<boolean> {
      return wanted.remove(kind, id);
    },

    /**
     * Legacy /api/wanted/scan made up random `found`/`grabbed` numbers. No search backend is
     * wired to the wanted list yet, so this reports what it actually did: searched nothing,
     * found 0, grabbed 0. It still stamps `lastScan` on every item, as clients expect.
     */
    async scan(): Promise<{ scanned: number; results: WantedScanResult[]; scannedAt: string }> {
      const items = await wanted.list();
      const scannedAt = deps.now().toISOString();
      const results = items.map((i) => ({ key: wantedKey(i), found: 0, grabbed: 0 }));
      await wanted.recordScans(items.map((i) => ({ kind: i.kind, id: i.id, lastScan: { at: scannedAt, found: 0, grabbed: 0 } })));
      return { scanned: items.length, results, scannedAt };
    },
  };
}

export type WantedService = ReturnType<typeof createWantedService>;
