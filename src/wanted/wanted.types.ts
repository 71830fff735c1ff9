import { z } from 'zod';

/** `lastScan` as /api/wanted/scan writes it (FORMATS.md §3.5). */
export interface WantedLastScan {
  at: string;
  found: number;
  grabbed: number;
  [key: string]: unknown;
}

/**
 * One `wanted.json` item (FORMATS.md §3.5). `id` is normally a library item id (not checked);
 * `kind` is whatever the client sent (often plural: `movies`), kept verbatim.
 */
export interface WantedItem {
  id: string;
  title: string;
  kind: string;
  addedAt?: string;
  lastScan?: WantedLastScan;
  [key: string]: unknown;
}

/** One item's new `lastScan` (the wanted store's recordScans). */
export interface WantedScanUpdate {
  kind: string;
  id: string;
  lastScan: WantedLastScan;
}

/** `<kind>:<id>`, the composite key legacy files and responses use. */
export function wantedKey(item: { kind: string; id: string }): string {
  return `${item.kind}:${item.id}`;
}

const requiredText = (name: string) =>
  z
    .preprocess((v) => (typeof v === 'string' ? v.trim() : v === undefined || v === null ? '' : String(v).trim()), z.string())
    .refine((v) => v !== '', {
      message: `${name} is required`,
    });

/** POST /api/wanted: all three required after trim (legacy answers `missing_params`). */
export const addWantedBody = z.object({
  id: requiredText('id'),
  title: requiredText('title'),
  kind: requiredText('kind'),
  /** Optional (ours): narrows the search (a release of another year is rejected). */
  year: z.number().int().min(1800).max(3000).optional(),
  /** Optional (ours): the quality profile the search decides by (else the kind's, else the default). */
  qualityProfileId: z.string().trim().min(1).max(200).optional(),
  /** Optional (ours): ids the indexers search by where their caps allow (`imdbid`, `tmdbid`, `tvdbid`). */
  imdbId: z
    .string()
    .trim()
    .regex(/^(tt)?\d{5,10}$/, 'imdbId must look like tt0078748')
    .optional(),
  tmdbId: z.number().int().positive().optional(),
  tvdbId: z.number().int().positive().optional(),
  /** Optional (ours): an episode is searched as `tvsearch` with season/ep where the caps allow. */
  season: z.number().int().min(0).max(10_000).optional(),
  episode: z.number().int().min(0).max(100_000).optional(),
});
export type AddWantedBody = z.infer<typeof addWantedBody>;

/** The optional search fields `POST /api/wanted` keeps on the item (beside id, title, kind). */
export const WANTED_SEARCH_FIELDS = ['year', 'qualityProfileId', 'imdbId', 'tmdbId', 'tvdbId', 'season', 'episode'] as const;

/** Where a wanted item is in the automation loop (ours; absent on legacy items = `wanted`). */
export const WANTED_STATUSES = ['wanted', 'searching', 'grabbed', 'downloading', 'imported', 'failed'] as const;
export type WantedStatus = (typeof WANTED_STATUSES)[number];

/** The fields the automation keeps on a wanted item (stored in the row's JSON data, additive). */
export interface WantedAutomationFields {
  status?: WantedStatus;
  /** The last search: when, how many releases came back, how many were approved, what was grabbed. */
  lastSearch?: { at: string; found: number; approved: number; grabbed: number; release?: string; errors?: string[] };
  /** Every release the last search rejected, with the reasons (at most 50). */
  rejections?: { title: string; indexer?: string; reasons: { code: string; reason: string }[] }[];
  [key: string]: unknown;
}

export const scanWantedBody = z.object({ enqueue: z.boolean().optional() }).optional();

/** One batch of the wanted list (WantedStore.listBatch). */
export interface WantedBatch {
  items: WantedItem[];
  next: string | null;
}

/** Most items one page of the wanted list holds. */
export const WANTED_PAGE_MAX = 1000;

/** Query of the paged wanted answers (`limit`, `cursor`); every value arrives as a string. */
export const wantedPageQuery = z.object({
  limit: z
    .string()
    .regex(/^\d+$/, { message: `must be an integer from 0 to ${WANTED_PAGE_MAX}` })
    .transform(Number)
    .refine((n) => n <= WANTED_PAGE_MAX, { message: `must be an integer from 0 to ${WANTED_PAGE_MAX}` })
    .optional(),
  cursor: z.string().min(1).max(2000).optional(),
});

/** The query keys that switch a wanted answer from the legacy whole list to one page. */
export const WANTED_PAGE_PARAMS = ['limit', 'cursor'] as const;

/** One page: `{ok, items, total, nextCursor}` (nextCursor null on the last page). */
export interface WantedPage {
  ok: true;
  items: WantedItem[];
  total: number;
  nextCursor: string | null;
}
