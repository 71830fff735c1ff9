import { z } from 'zod';
import { indexedOverflow, indexedOverflowMessage } from '../db/indexed-limit.js';

/** Library kinds are singular (FORMATS.md §0.5); the DB CHECK constraint holds the same list. */
export const LIBRARY_KINDS = ['movie', 'series', 'music', 'book'] as const;
export type LibraryKind = (typeof LIBRARY_KINDS)[number];

/**
 * One `library.json` item (FORMATS.md §3.2), as found on disk: optional keys are absent rather
 * than null, and keys MediaOS never wrote (e.g. `path`) are kept as they are.
 */
export interface LibraryItem {
  id: string;
  kind: LibraryKind;
  title: string;
  posterUrl?: string;
  backgroundUrl?: string;
  year?: number;
  quality?: string;
  source?: string;
  filePath?: string;
  fileSize?: number;
  metadata?: Record<string, unknown>;
  [key: string]: unknown;
}

export const LIBRARY_SORTS = ['title', '-title', 'createdAt', '-createdAt'] as const;
export type LibrarySort = (typeof LIBRARY_SORTS)[number];
export const LIBRARY_PAGE_MAX = 500;
export const LIBRARY_PAGE_DEFAULT = 100;

/** A decoded keyset cursor: the last row's sort key and its insertion sequence. */
export interface LibraryCursor {
  sort: LibrarySort;
  key: string;
  seq: number;
}

/** What a store answers a paged query with (`cursor` already decoded). */
export interface LibraryQuery {
  /** Search tokens, already folded by `searchTokens` (empty = no text filter). */
  tokens: string[];
  kind?: LibraryKind;
  sort: LibrarySort;
  limit: number;
  after?: LibraryCursor;
}

export interface LibraryPage {
  items: LibraryItem[];
  total: number;
  /** Set (true) when `total` is an estimate: a text query with more matches than the store counts exactly. */
  totalIsEstimate?: true;
  /** The cursor of the last item when more rows follow, else null. */
  next: LibraryCursor | null;
}

export type LibraryCreateResult = { status: 'created'; item: LibraryItem } | { status: 'exists'; item: LibraryItem } | { status: 'duplicate_id' };

/** PATCH semantics: a `null` URL removes the key; an absent key leaves it. */
export interface LibraryPatch {
  kind?: LibraryKind;
  title?: string;
  posterUrl?: string | null;
  backgroundUrl?: string | null;
  /** Set by an import (not by the API's PATCH body): where the file is, its bytes, its quality. */
  filePath?: string;
  fileSize?: number;
  quality?: string;
  /** Set by a scanner import (POST /api/scanner/import): the release source (`BluRay`, `WEB-DL`). */
  source?: string;
  /** Set by a metadata lookup applied to the item (POST /api/metadata/apply). */
  year?: number;
  metadata?: Record<string, unknown>;
}

export type LibraryPatchResult = { status: 'updated'; item: LibraryItem } | { status: 'not_found' } | { status: 'duplicate_title' };

// ---- request bodies and queries ----

/** The URL of artwork this server stores (media/artwork.store.ts), e.g. `/api/artwork/<sha256>.jpg`. */
export const STORED_ARTWORK_URL = /^\/api\/artwork\/[0-9a-f]{64}\.(jpg|png|gif|webp)$/;

/**
 * Absolute http(s) URL (legacy used zod `.url()`; we refuse javascript:/data: and other relative
 * URLs), or the path of artwork stored here, so an item read back can be written back unchanged.
 */
const artworkUrl = z.string().refine(
  (v) => {
    if (STORED_ARTWORK_URL.test(v)) return true;
    try {
      const u = new URL(v);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  },
  { message: 'must be an absolute http(s) URL or /api/artwork/<stored file>' },
);

const kind = z.enum(LIBRARY_KINDS, { message: `must be one of ${LIBRARY_KINDS.join(', ')}` });
/** A type error says which: absent (`is required`) or present with another type (`must be a string`). */
const textError = { error: (iss: { input: unknown }) => (iss.input === undefined || iss.input === null ? 'is required' : 'must be a string') };
/**
 * Ids and titles land in indexed columns (`id`, `title_lower` = the lower-cased title): longer
 * than MAX_INDEXED_BYTES is refused here on every engine and phase, as the importer quarantines it.
 */
const indexedText = (lowerCased: boolean, base = z.string(textError)) =>
  base.superRefine((v, ctx) => {
    const bytes = indexedOverflow(lowerCased ? v.toLowerCase() : v);
    if (bytes !== undefined) ctx.addIssue({ code: 'custom', message: indexedOverflowMessage(bytes) });
  });
const nonBlank = indexedText(true).refine((v) => v.trim() !== '', { message: 'must not be blank' });

/** POST /api/library: extra keys are stripped (legacy). */
export const createLibraryItemBody = z.object({
  id: indexedText(false, z.string()).optional(),
  kind,
  title: nonBlank,
  posterUrl: artworkUrl.optional(),
  backgroundUrl: artworkUrl.optional(),
});
export type CreateLibraryItemBody = z.infer<typeof createLibraryItemBody>;

/** PATCH /api/library/:id: a blank title is ignored; null removes an artwork URL. */
export const patchLibraryItemBody = z.object({
  kind: kind.optional(),
  title: indexedText(true, z.string()).optional(),
  posterUrl: artworkUrl.nullable().optional(),
  backgroundUrl: artworkUrl.nullable().optional(),
});

export const artworkBody = z.object({
  title: z.string(textError),
  tab: z.enum(['poster', 'background', 'banner', 'season']).optional(),
  url: artworkUrl,
});

/** Query of GET /api/library in its paged form; every value arrives as a string. */
export const libraryListQuery = z.object({
  q: z.string().max(500).optional(),
  kind: kind.optional(),
  sort: z.enum(LIBRARY_SORTS, { message: `must be one of ${LIBRARY_SORTS.join(', ')}` }).optional(),
  limit: z
    .string()
    .regex(/^\d+$/, { message: `must be an integer from 1 to ${LIBRARY_PAGE_MAX}` })
    .transform(Number)
    .refine((n) => n >= 1 && n <= LIBRARY_PAGE_MAX, { message: `must be an integer from 1 to ${LIBRARY_PAGE_MAX}` })
    .optional(),
  cursor: z.string().max(2000).optional(),
});

/** The query keys that switch GET /api/library from the legacy `{items}` to the paged answer. */
export const LIBRARY_PAGE_PARAMS = ['q', 'kind', 'sort', 'limit', 'cursor'] as const;
