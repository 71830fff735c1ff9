import { filenameParse } from '@ctrl/video-filename-parser';

/**
 * Release titles read with `@ctrl/video-filename-parser` (the Servarr parsing rules, ported):
 * title, year, season/episodes, resolution, sources, codec, group. We add what the decision
 * engine needs on top: the quality name profiles use (`2160p` ... `480p`), whether it is a
 * sample, whether it was filmed in a cinema (CAM, telesync, telecine, workprint), and the title
 * normalized for comparison.
 */

export interface ParsedRelease {
  /** The title as the parser found it ("Alien Resurrection"). */
  title: string;
  /** For comparison: lowercase ASCII words, "&" as "and" (normalizeTitle). */
  normalizedTitle: string;
  year?: number;
  seasons: number[];
  episodes: number[];
  fullSeason: boolean;
  /** `2160p`, `1080p`, `720p`, `480p`, ... (lowercase), when the title names one. */
  resolution?: string;
  /** Parser sources, lowercase (`bluray`, `webdl`, `cam`, `telesync`, ...). */
  sources: string[];
  codec?: string;
  group?: string;
  /** The quality a profile speaks of: the resolution, else 480p for DVD; undefined when unknown. */
  quality?: string;
  sample: boolean;
  /** CAM, telesync, telecine or workprint: filmed in a cinema. */
  cinema: boolean;
}

const TV_KINDS = new Set(['tv', 'series', 'show', 'shows', 'episode', 'episodes']);
const CINEMA = new Set(['cam', 'telesync', 'telecine', 'workprint']);

/** Lowercase ASCII words separated by single spaces; "&" -> "and"; accents and punctuation dropped. */
export function normalizeTitle(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/['’`]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** True when the release names itself a sample (`...sample-GRP`, `Sample.mkv`). */
function isSample(name: string): boolean {
  return /(^|[^a-z0-9])sample([^a-z0-9]|$)/i.test(name);
}

export function parseRelease(name: string, kind?: string): ParsedRelease {
  const isTv = TV_KINDS.has((kind ?? '').toLowerCase()) || /\bS\d{1,3}E\d{1,4}\b/i.test(name) || /\bS\d{1,3}\b/i.test(name);
  // The TV rules find no title in a name without season/episode markers: read it as a movie then.
  const tv = isTv ? filenameParse(name, true) : undefined;
  const p = tv !== undefined && tv.title.trim() !== '' ? tv : filenameParse(name, false);
  const sources = (p.sources ?? []).map((s) => String(s).toLowerCase());
  const out: ParsedRelease = {
    title: p.title,
    normalizedTitle: normalizeTitle(p.title),
    seasons: 'seasons' in p && Array.isArray(p.seasons) ? p.seasons : [],
    episodes: 'episodeNumbers' in p && Array.isArray(p.episodeNumbers) ? p.episodeNumbers : [],
    fullSeason: 'fullSeason' in p && p.fullSeason === true,
    sources,
    sample: isSample(name),
    cinema: sources.some((s) => CINEMA.has(s)),
  };
  const year = p.year === null || p.year === undefined ? undefined : Number(p.year);
  if (year !== undefined && Number.isInteger(year)) out.year = year;
  if (p.resolution) out.resolution = String(p.resolution).toLowerCase();
  if (p.videoCodec) out.codec = String(p.videoCodec);
  if (p.group) out.group = p.group;
  const quality = out.resolution ?? (sources.includes('dvd') ? '480p' : undefined);
  if (quality !== undefined) out.quality = quality;
  return out;
}
