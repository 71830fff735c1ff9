import { defaultQualityProfiles, type QualityProfile } from '../quality/quality.types.js';

/**
 * The rules a decision applies, from the wanted item's quality profile: its `qualityProfileId`,
 * else the kind's entry in the legacy per-kind map (`quality.json`: `{allowed, cutoff}`), else the
 * default profile (`hd-1080p` when it exists, else the first profile, else the built-in one).
 */
export interface ProfileRules {
  /** Where the rules came from: `profile:<id>`, `map:<kind>`, `default:<id>`. */
  origin: string;
  /** Allowed quality names, lowercase. */
  allowed: string[];
  cutoff?: string;
  /** Qualities the profile prefers (lowercase). */
  preferredQualities: string[];
  /** Words that rank a release higher (case-insensitive, whole words). */
  preferredWords: string[];
  /** Size bounds in MB (the legacy UI's unit); 0 or absent: no bound. */
  minSizeMB?: number;
  maxSizeMB?: number;
  minSeeders?: number;
}

const lower = (list: unknown): string[] => (Array.isArray(list) ? list.filter((v): v is string => typeof v === 'string').map((v) => v.toLowerCase()) : []);
const positive = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);

export function rulesFromProfile(p: QualityProfile, origin: string): ProfileRules {
  const items = Array.isArray(p.qualities) ? p.qualities : [];
  const rules: ProfileRules = {
    origin,
    allowed: items.filter((q) => q.allowed === true && typeof q.quality === 'string').map((q) => q.quality.toLowerCase()),
    preferredQualities: items.filter((q) => q.preferred === true && typeof q.quality === 'string').map((q) => q.quality.toLowerCase()),
    preferredWords: lower(p.preferredWords),
  };
  if (typeof p.cutoff === 'string') rules.cutoff = p.cutoff.toLowerCase();
  const min = positive(p.minSize);
  const max = positive(p.maxSize);
  const seeders = positive(p.minSeeders);
  if (min !== undefined) rules.minSizeMB = min;
  if (max !== undefined) rules.maxSizeMB = max;
  if (seeders !== undefined) rules.minSeeders = seeders;
  return rules;
}

function rulesFromMap(map: unknown, kind: string | undefined): ProfileRules | undefined {
  if (kind === undefined || typeof map !== 'object' || map === null || Array.isArray(map)) return undefined;
  if (!Object.hasOwn(map, kind)) return undefined;
  const entry = (map as Record<string, unknown>)[kind];
  if (typeof entry !== 'object' || entry === null || !Array.isArray((entry as { allowed?: unknown }).allowed)) return undefined;
  const e = entry as Record<string, unknown>;
  const rules: ProfileRules = {
    origin: `map:${kind}`,
    allowed: lower(e.allowed),
    preferredQualities: lower(e.preferred),
    preferredWords: lower(e.preferredWords),
  };
  if (typeof e.cutoff === 'string') rules.cutoff = e.cutoff.toLowerCase();
  const min = positive(e.minSize);
  const max = positive(e.maxSize);
  const seeders = positive(e.minSeeders);
  if (min !== undefined) rules.minSizeMB = min;
  if (max !== undefined) rules.maxSizeMB = max;
  if (seeders !== undefined) rules.minSeeders = seeders;
  return rules;
}

export function resolveProfileRules(
  wanted: { kind?: string; qualityProfileId?: string },
  profiles: readonly QualityProfile[] | undefined,
  map: unknown,
): ProfileRules {
  const list = profiles ?? defaultQualityProfiles();
  const own = wanted.qualityProfileId === undefined ? undefined : list.find((p) => p.id === wanted.qualityProfileId);
  if (own) return rulesFromProfile(own, `profile:${own.id}`);
  const fromMap = rulesFromMap(map, wanted.kind);
  if (fromMap) return fromMap;
  const fallback = list.find((p) => p.id === 'hd-1080p') ?? list[0] ?? defaultQualityProfiles()[0];
  return rulesFromProfile(fallback, `default:${fallback.id}`);
}
