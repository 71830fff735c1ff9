import { z } from 'zod';
import type { IndexerCaps } from '../indexer-clients/torznab.js';

/** Where an `indexers.json` entry came from (FORMATS.md §3.4). */
export const INDEXER_TYPES = ['manual', 'prowlarr', 'jackett'] as const;
export type IndexerType = (typeof INDEXER_TYPES)[number];
/** The protocol a manual indexer speaks (our addition); defaults from its `protocol`. */
export const INDEXER_IMPLEMENTATIONS = ['torznab', 'newznab'] as const;
export type IndexerImplementation = (typeof INDEXER_IMPLEMENTATIONS)[number];

/** Why and until when a failing indexer is not queried (our addition, persisted in the row). */
export interface IndexerStatus {
  /** Consecutive failures. */
  failures: number;
  /** ISO time before which the indexer is skipped. */
  disabledUntil: string;
  lastError: string;
}

/** `both` is declared by legacy but never written. */
export const INDEXER_PROTOCOLS = ['torrent', 'usenet', 'both'] as const;
export type IndexerProtocol = (typeof INDEXER_PROTOCOLS)[number];

/**
 * One entry of `indexers.json` `indexers[]`, the legacy shape. `apiKey` is declared by legacy but
 * never written; if a file holds one it is kept (sealed in the database) and never shown.
 * Unknown keys survive.
 */
export interface IndexerConfig {
  id: string;
  name: string;
  type: IndexerType;
  protocol: IndexerProtocol;
  enabled: boolean;
  baseUrl?: string;
  priority?: number;
  apiKey?: string;
  /** Manual Torznab/Newznab indexers (our additions, kept in the row's JSON). */
  implementation?: IndexerImplementation;
  categories?: number[];
  timeoutSeconds?: number;
  /** `t=caps`, read once. */
  caps?: IndexerCaps;
  status?: IndexerStatus;
  [key: string]: unknown;
}

/** `indexers.json` `prowlarr` (apiKey PLAINTEXT in memory; each store encrypts it at rest). */
export interface ProwlarrSource {
  enabled?: boolean;
  baseUrl?: string;
  apiKey?: string;
  syncEnabled?: boolean;
  [key: string]: unknown;
}

/** `indexers.json` `jackett`. */
export interface JackettSource {
  enabled?: boolean;
  baseUrl?: string;
  apiKey?: string;
  [key: string]: unknown;
}

/**
 * Everything of `indexers.json` except the `indexers` array: the two source configurations and
 * any other top-level key (kept verbatim). Stored as the `settings` row `indexers`.
 */
export interface IndexerSources {
  prowlarr?: ProwlarrSource;
  jackett?: JackettSource;
  [key: string]: unknown;
}

/** The whole legacy document. */
export interface IndexersDocument extends IndexerSources {
  indexers: IndexerConfig[];
}

/** The source kinds that sync and search. */
export const SYNC_SOURCES = ['prowlarr', 'jackett'] as const;
export type SyncSource = (typeof SYNC_SOURCES)[number];

/** What PATCH /api/indexers/:id may change (legacy: `{...existing, ...patch}`). */
export interface IndexerPatch {
  enabled?: boolean;
  name?: string;
  priority?: number;
  /** Set by searches, never by PATCH bodies: the cached caps; the backoff status (null clears it). */
  caps?: IndexerCaps;
  status?: IndexerStatus | null;
}

/** The legacy PATCH merge; shared by both store sides so the dual phase writes the same record. */
export function applyIndexerPatch(existing: IndexerConfig, patch: IndexerPatch): IndexerConfig {
  const out: IndexerConfig = { ...existing };
  if (patch.enabled !== undefined) out.enabled = patch.enabled;
  if (patch.name !== undefined) out.name = patch.name;
  if (patch.priority !== undefined) out.priority = patch.priority;
  if (patch.caps !== undefined) out.caps = patch.caps;
  if (patch.status === null) delete out.status;
  else if (patch.status !== undefined) out.status = patch.status;
  return out;
}

/**
 * The legacy sync rule: a Prowlarr sync keeps the manual entries only (Jackett entries are
 * dropped, as legacy did); a Jackett sync keeps everything that is not Jackett. An entry whose id
 * collides with a new synced entry is replaced by it (legacy would have kept both).
 */
export function keptBySync(source: SyncSource, entry: { type: unknown; id: unknown }, newIds: ReadonlySet<string>): boolean {
  if (typeof entry.id === 'string' && newIds.has(entry.id)) return false;
  return source === 'prowlarr' ? entry.type === 'manual' : entry.type !== 'jackett';
}

// ---- API views ----

export interface ProwlarrView {
  enabled: boolean;
  baseUrl?: string;
  hasApiKey: boolean;
  syncEnabled?: boolean;
}
export interface JackettView {
  enabled: boolean;
  baseUrl?: string;
  hasApiKey: boolean;
}

/** One search hit (API.md §4). */
export interface SearchResult {
  title: string;
  size: string;
  seeders?: number;
  leechers?: number;
  link: string;
  protocol: 'torrent' | 'usenet';
  indexer?: string;
  publishDate?: string;
  /** Present when the search named a wanted title: the decision engine's verdict. */
  approved?: boolean;
  rejections?: { code: string; reason: string }[];
}

// ---- request bodies ----

/** An http(s) URL; "" and null mean "not given" (the legacy UI sends empty fields). */
const urlInput = z
  .union([z.string(), z.null()])
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === null || v.trim() === '') return undefined;
    try {
      const u = new URL(v.trim());
      if (u.protocol === 'http:' || u.protocol === 'https:') return v.trim();
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: 'must be an http(s) URL' });
    return z.NEVER;
  });

const requiredUrl = z.string().transform((v, ctx) => {
  try {
    const u = new URL(v.trim());
    if (u.protocol === 'http:' || u.protocol === 'https:') return v.trim();
  } catch {
    // reported below
  }
  ctx.addIssue({ code: 'custom', message: 'must be an http(s) URL' });
  return z.NEVER;
});

/**
 * POST /api/indexers/prowlarr. `apiKey`: omitted or "" keeps the stored key (legacy); `null`
 * clears it (our addition). `baseUrl` replaces (omitting removes it); `syncEnabled` is kept when
 * omitted.
 */
export const saveProwlarrBody = z.object({
  enabled: z.boolean(),
  baseUrl: urlInput,
  apiKey: z.string().nullable().optional(),
  syncEnabled: z.boolean().optional(),
});
export type SaveProwlarrBody = z.infer<typeof saveProwlarrBody>;

export const saveJackettBody = z.object({
  enabled: z.boolean(),
  baseUrl: urlInput,
  apiKey: z.string().nullable().optional(),
});
export type SaveJackettBody = z.infer<typeof saveJackettBody>;

/** POST /api/indexers/{prowlarr,jackett}/test: the body's values, never the stored ones (legacy). */
export const testSourceBody = z.object({
  baseUrl: requiredUrl,
  apiKey: z.string().min(1),
});
export type TestSourceBody = z.infer<typeof testSourceBody>;

/**
 * POST /api/indexers: a manual Torznab/Newznab indexer. Legacy stripped `apiKey`; we keep it
 * (sealed at rest, answered as `hasApiKey`). `implementation` defaults from `type`
 * (torrent -> torznab, usenet -> newznab); `categories` are Newznab category ids.
 */
export const createIndexerBody = z.object({
  name: z.string().min(1),
  type: z.enum(['torrent', 'usenet']),
  url: urlInput,
  apiKey: z
    .string()
    .nullable()
    .optional()
    .transform((v) => (v === null || v === undefined || v.trim() === '' ? undefined : v.trim())),
  categories: z.array(z.number().int().min(0).max(999_999)).max(100).optional(),
  implementation: z.enum(INDEXER_IMPLEMENTATIONS).optional(),
  timeoutSeconds: z.number().int().min(1).max(300).optional(),
});
export type CreateIndexerBody = z.infer<typeof createIndexerBody>;

export const patchIndexerBody = z.object({
  enabled: z.boolean().optional(),
  name: z.string().min(1).optional(),
  priority: z.number().int().min(-2_147_483_648).max(2_147_483_647).optional(),
});

const count = z.number().int().min(0);

/**
 * POST /api/indexers/search (API.md §4). `cat` is accepted and ignored, as legacy did (manual
 * indexers search their own `categories`). `season`/`episode`/`year` are passed to indexers whose
 * caps support them (our additions). A request naming a `title` (with `kind`, `year`, `season`,
 * `episode`, `qualityProfileId`) gets the decision engine's verdict on each result (additive).
 */
export const searchBody = z.object({
  q: z.string().min(2),
  season: count.optional(),
  episode: count.optional(),
  year: z.number().int().min(1800).max(3000).optional(),
  /** With `title`, every result also carries the decision (`approved`, `rejections`) for that wanted title. */
  title: z.string().trim().min(1).optional(),
  qualityProfileId: z.string().min(1).optional(),
  cat: z.union([z.string(), z.number()]).optional(),
  kind: z.string().optional(),
  serverFilter: z.boolean().optional(),
  protocol: z.enum(['torrent', 'usenet', 'any']).optional(),
  minSeeders: count.optional(),
  minSizeMB: count.optional(),
  maxSizeMB: count.optional(),
});
export type SearchBody = z.infer<typeof searchBody>;
