import { z } from 'zod';

/**
 * `quality.json`, the legacy per-kind map (FORMATS.md §3.6): `{[kind]: {allowed, cutoff}}` by
 * intent, but legacy wrote `body.profiles` exactly as sent, so on disk it may be any JSON value.
 * It is stored and served verbatim; only the search filter interprets it (leniently).
 */
export type QualityMap = unknown;

/** One row of a profile's quality list. */
export interface QualityItem {
  quality: string;
  allowed: boolean;
  preferred: boolean;
  [key: string]: unknown;
}

/** One entry of `quality-profiles.json` `profiles[]` (FORMATS.md §3.7); unknown keys survive. */
export interface QualityProfile {
  id: string;
  name: string;
  upgradeAllowed?: boolean;
  cutoff?: string;
  qualities?: QualityItem[];
  minSize?: number;
  maxSize?: number;
  [key: string]: unknown;
}

/** What PATCH may change; `null` for a size removes it (our addition: the UI clears fields). */
export interface ProfilePatch {
  name?: string;
  upgradeAllowed?: boolean;
  cutoff?: string;
  qualities?: QualityItem[];
  minSize?: number | null;
  maxSize?: number | null;
}

/** The legacy PATCH merge `{...existing, ...patch, id}`; shared by both store sides. */
export function applyProfilePatch(existing: QualityProfile, patch: ProfilePatch): QualityProfile {
  const out: Record<string, unknown> = { ...existing };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    if (v === null) delete out[k];
    else out[k] = v;
  }
  out.id = existing.id;
  return out as QualityProfile;
}

const ORDER = ['2160p', '1080p', '720p', '480p'] as const;

function builtIn(id: string, name: string, upgradeAllowed: boolean, cutoff: string, allowed: string[], preferred: string[]): QualityProfile {
  return {
    id,
    name,
    upgradeAllowed,
    cutoff,
    qualities: ORDER.map((quality) => ({ quality, allowed: allowed.includes(quality), preferred: preferred.includes(quality) })),
  };
}

/** The 4 built-in profiles served when `quality-profiles.json` does not exist (FORMATS.md §3.7). */
export function defaultQualityProfiles(): QualityProfile[] {
  return [
    builtIn('hd-1080p', 'HD-1080p', true, '1080p', ['1080p', '720p'], ['1080p']),
    builtIn('ultra-hd', 'Ultra HD / 4K', true, '2160p', [...ORDER], ['2160p']),
    builtIn('any', 'Any Quality', true, '2160p', [...ORDER], []),
    builtIn('sd-only', 'SD Only (Low Bandwidth)', false, '480p', ['720p', '480p'], ['720p']),
  ];
}

// ---- request bodies (unknown keys are stripped, as legacy zod did) ----

const qualityItem = z.object({ quality: z.string(), allowed: z.boolean(), preferred: z.boolean() });
/** Sizes: numbers; `null` means "not set" (the legacy UI sends empty fields as null). */
const size = z.number().min(0).nullable().optional();

/** A profile in the bulk save (full replace). */
export const qualityProfileInput = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  upgradeAllowed: z.boolean(),
  cutoff: z.string(),
  qualities: z.array(qualityItem),
  minSize: size,
  maxSize: size,
});

export const bulkSaveProfilesBody = z.object({ profiles: z.array(qualityProfileInput) });
export type BulkSaveProfilesBody = z.infer<typeof bulkSaveProfilesBody>;

export const newProfileBody = z.object({
  name: z.string().min(1),
  upgradeAllowed: z.boolean().default(true),
  cutoff: z.string(),
  qualities: z.array(qualityItem),
  minSize: size,
  maxSize: size,
});
export type NewProfileBody = z.infer<typeof newProfileBody>;

export const patchProfileBody = z.object({
  name: z.string().min(1).optional(),
  upgradeAllowed: z.boolean().optional(),
  cutoff: z.string().optional(),
  qualities: z.array(qualityItem).optional(),
  minSize: size,
  maxSize: size,
});

/** POST /api/settings/quality: `profiles` is stored exactly as sent (`{}` when missing), as legacy. */
export const saveQualityMapBody = z.looseObject({ profiles: z.unknown().optional() });
