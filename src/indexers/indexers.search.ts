import type { Rejection } from '../automation/decisions.js';
import type { RawHit } from '../indexer-clients/hits.js';

/** A hit with the decision engine's verdict, when the search named a wanted title. */
export type DecidedHit = RawHit & { decision?: { approved: boolean; rejections: Rejection[] } };

import type { SearchBody, SearchResult } from './indexers.types.js';

/**
 * The pure part of POST /api/indexers/search (API.md §4): formatting, filters and sorting of the
 * hits the sources returned. Legacy answered 3 fake magnet results when nothing was found; we
 * answer an empty list (a fake magnet grabbed by a user downloads nothing, or something else).
 */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
const MB = 1024 * 1024;

/** "1.4GB"-style: 1024-based, one decimal (bytes without one); unknown -> "0B". */
export function formatSize(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes) || bytes <= 0) return '0B';
  let i = 0;
  let v = bytes;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${Math.round(v)}B` : `${v.toFixed(1)}${UNITS[i]}`;
}

/** The quality a title names: 2160p/4K -> "2160p", then 1080p, 720p, 480p; else undefined. */
export function detectQuality(title: string): string | undefined {
  const t = title.toLowerCase();
  if (t.includes('2160p') || /(^|[^a-z0-9])4k([^a-z0-9]|$)/.test(t)) return '2160p';
  for (const q of ['1080p', '720p', '480p']) if (t.includes(q)) return q;
  return undefined;
}

/**
 * `quality.json[kind].allowed`, lowercased, when the map holds a list for that kind; undefined
 * means "do not filter" (no map, no entry, or not a list: the map is unvalidated legacy data).
 */
export function allowedQualities(map: unknown, kind: string | undefined): Set<string> | undefined {
  if (kind === undefined || typeof map !== 'object' || map === null || Array.isArray(map)) return undefined;
  if (!Object.hasOwn(map, kind)) return undefined;
  const entry = (map as Record<string, unknown>)[kind];
  if (typeof entry !== 'object' || entry === null) return undefined;
  const allowed = (entry as { allowed?: unknown }).allowed;
  if (!Array.isArray(allowed)) return undefined;
  return new Set(allowed.filter((a): a is string => typeof a === 'string').map((a) => a.toLowerCase()));
}

function isoOrRaw(date: string | undefined): string | undefined {
  if (date === undefined) return undefined;
  const ms = Date.parse(date);
  return Number.isNaN(ms) ? date : new Date(ms).toISOString();
}

export function toResult(hit: DecidedHit): SearchResult {
  const out: Record<string, unknown> = { title: hit.title, size: formatSize(hit.size) };
  if (hit.seeders !== undefined) out.seeders = hit.seeders;
  if (hit.leechers !== undefined) out.leechers = hit.leechers;
  out.link = hit.link;
  out.protocol = hit.protocol;
  if (hit.indexer !== undefined) out.indexer = hit.indexer;
  const date = isoOrRaw(hit.publishDate);
  if (date !== undefined) out.publishDate = date;
  if (hit.decision !== undefined) {
    out.approved = hit.decision.approved;
    out.rejections = hit.decision.rejections;
  }
  return out as unknown as SearchResult;
}

/**
 * Legacy filters in legacy order: protocol; `minSeeders` (torrents only); size bounds in MB
 * (computed on the exact byte count; an unknown size counts as 0; `maxSizeMB: 0` means no upper
 * bound, as the legacy falsy check did); `serverFilter` + `kind` against the quality map (a
 * title without a recognisable quality is not in the list and is dropped). Then by seeders,
 * highest first (stable).
 */
export function filterAndSort(hits: DecidedHit[], body: SearchBody, qualityMap: unknown): SearchResult[] {
  let list = hits;
  if (body.protocol && body.protocol !== 'any') list = list.filter((h) => h.protocol === body.protocol);
  if (body.minSeeders) {
    const min = body.minSeeders;
    list = list.filter((h) => h.protocol !== 'torrent' || (h.seeders ?? 0) >= min);
  }
  if (body.minSizeMB) {
    const min = body.minSizeMB;
    list = list.filter((h) => (h.size ?? 0) / MB >= min);
  }
  if (body.maxSizeMB) {
    const max = body.maxSizeMB;
    list = list.filter((h) => (h.size ?? 0) / MB <= max);
  }
  if (body.serverFilter) {
    const allowed = allowedQualities(qualityMap, body.kind);
    if (allowed) {
      list = list.filter((h) => {
        const q = detectQuality(h.title);
        return q !== undefined && allowed.has(q);
      });
    }
  }
  const sorted = list
    .map((h, i) => ({ h, i }))
    .sort((a, b) => (b.h.seeders ?? 0) - (a.h.seeders ?? 0) || a.i - b.i)
    .map((x) => x.h);
  return sorted.map(toResult);
}
