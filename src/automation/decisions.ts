import type { ProfileRules } from './profile-rules.js';
import { normalizeTitle, type ParsedRelease, parseRelease } from './release-parse.js';

/**
 * The decision engine (pure): every candidate release is checked against the wanted item and
 * its profile's rules; each failed check is recorded as a rejection with a stable code and a
 * text. Approved releases are ranked: quality (counted up to the cutoff), then preferred
 * qualities/words, then seeders, then size.
 */

export const REJECTION_CODES = [
  'sample',
  'cinema_source',
  'wrong_title',
  'wrong_year',
  'wrong_season',
  'wrong_episode',
  'unknown_quality',
  'quality_not_allowed',
  'too_small',
  'too_large',
  'not_enough_seeders',
  'blocklisted',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

export interface Rejection {
  code: RejectionCode;
  reason: string;
}

/** What is wanted: a title, and for movies a year, for episodes a season and episode. */
export interface WantedTarget {
  title: string;
  kind?: string;
  year?: number;
  season?: number;
  episode?: number;
}

export interface Candidate {
  title: string;
  /** Bytes, when known. */
  size?: number;
  seeders?: number;
  protocol?: 'torrent' | 'usenet';
  guid?: string;
  link?: string;
  indexer?: string;
}

export interface Decision<C extends Candidate = Candidate> {
  candidate: C;
  parsed: ParsedRelease;
  approved: boolean;
  rejections: Rejection[];
}

/** Quality names from best to worst; anything else ranks below them. */
export const QUALITY_ORDER = ['2160p', '1080p', '720p', '576p', '480p', '360p'] as const;
const MB = 1024 * 1024;

export function qualityRank(q: string | undefined): number {
  const i = q === undefined ? -1 : (QUALITY_ORDER as readonly string[]).indexOf(q);
  return i < 0 ? 0 : QUALITY_ORDER.length - i;
}

/** Is this release blocklisted (by guid, link or exact title)? */
export type BlocklistCheck = (c: Candidate) => boolean;

const hasWord = (name: string, word: string): boolean => {
  const w = normalizeTitle(word);
  return w !== '' && ` ${normalizeTitle(name)} `.includes(` ${w} `);
};

export function decide<C extends Candidate>(candidate: C, wanted: WantedTarget, rules: ProfileRules, blocklisted?: BlocklistCheck): Decision<C> {
  const parsed = parseRelease(candidate.title, wanted.kind);
  const rejections: Rejection[] = [];
  const reject = (code: RejectionCode, reason: string) => rejections.push({ code, reason });

  if (parsed.sample) reject('sample', 'release is a sample');
  if (parsed.cinema) reject('cinema_source', `filmed in a cinema (${parsed.sources.join(', ')})`);
  const want = normalizeTitle(wanted.title);
  if (parsed.normalizedTitle !== want) reject('wrong_title', `title "${parsed.title}" is not "${wanted.title}"`);
  if (wanted.year !== undefined && parsed.year !== undefined && parsed.year !== wanted.year) reject('wrong_year', `year ${parsed.year} is not ${wanted.year}`);
  if (wanted.season !== undefined && !parsed.seasons.includes(wanted.season)) {
    reject(
      'wrong_season',
      parsed.seasons.length === 0 ? `no season in the title, wanted season ${wanted.season}` : `season ${parsed.seasons.join(',')} is not ${wanted.season}`,
    );
  }
  if (wanted.episode !== undefined && !parsed.fullSeason && !parsed.episodes.includes(wanted.episode)) {
    reject(
      'wrong_episode',
      parsed.episodes.length === 0
        ? `no episode in the title, wanted episode ${wanted.episode}`
        : `episode ${parsed.episodes.join(',')} is not ${wanted.episode}`,
    );
  }
  if (parsed.quality === undefined) reject('unknown_quality', 'the title names no quality');
  else if (!rules.allowed.includes(parsed.quality))
    reject('quality_not_allowed', `${parsed.quality} is not allowed by ${rules.origin} (allowed: ${rules.allowed.join(', ') || 'none'})`);
  const sizeMB = candidate.size === undefined ? undefined : candidate.size / MB;
  if (rules.minSizeMB !== undefined && (sizeMB === undefined || sizeMB < rules.minSizeMB))
    reject('too_small', `${sizeMB === undefined ? 'unknown size' : `${Math.round(sizeMB)} MB`} is below the minimum ${rules.minSizeMB} MB`);
  if (rules.maxSizeMB !== undefined && sizeMB !== undefined && sizeMB > rules.maxSizeMB)
    reject('too_large', `${Math.round(sizeMB)} MB is above the maximum ${rules.maxSizeMB} MB`);
  if (rules.minSeeders !== undefined && candidate.protocol !== 'usenet' && (candidate.seeders ?? 0) < rules.minSeeders)
    reject('not_enough_seeders', `${candidate.seeders ?? 0} seeders, the minimum is ${rules.minSeeders}`);
  if (blocklisted?.(candidate)) reject('blocklisted', 'release is blocklisted');
  return { candidate, parsed, approved: rejections.length === 0, rejections };
}

/** Sort key parts of an approved decision, best first. */
function score(d: Decision, rules: ProfileRules): number[] {
  const cutoff = rules.cutoff === undefined ? Number.POSITIVE_INFINITY : qualityRank(rules.cutoff) || Number.POSITIVE_INFINITY;
  const q = Math.min(qualityRank(d.parsed.quality), cutoff);
  const preferred =
    (d.parsed.quality !== undefined && rules.preferredQualities.includes(d.parsed.quality) ? 1 : 0) +
    rules.preferredWords.filter((w) => hasWord(d.candidate.title, w)).length;
  return [q, preferred, d.candidate.seeders ?? 0, d.candidate.size ?? 0];
}

/** Every candidate decided; approved ones first, ranked best first; rejected ones after, in input order. */
export function decideAll<C extends Candidate>(
  candidates: readonly C[],
  wanted: WantedTarget,
  rules: ProfileRules,
  blocklisted?: BlocklistCheck,
): Decision<C>[] {
  const all = candidates.map((c) => decide(c, wanted, rules, blocklisted));
  const approved = all
    .filter((d) => d.approved)
    .map((d, i) => ({ d, i, s: score(d, rules) }))
    .sort((a, b) => {
      for (let k = 0; k < a.s.length; k++) if (a.s[k] !== b.s[k]) return b.s[k] - a.s[k];
      return a.i - b.i;
    })
    .map((x) => x.d);
  return [...approved, ...all.filter((d) => !d.approved)];
}
