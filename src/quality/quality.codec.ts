import type { Insertable, Selectable } from 'kysely';
import { z } from 'zod';
import { fromBool, fromJson, isObject, toJson } from '../db/json.js';
import type { QualityProfilesTable, SettingsTable } from '../db/schema.js';
import type { QualityMap, QualityProfile } from './quality.types.js';

/**
 * THE mapping between the legacy quality files and the database, used by the sql store and by
 * the importer/exporter:
 * - `quality.json` (the per-kind map, unvalidated legacy data) <-> the `settings` row `quality`,
 *   stored verbatim;
 * - `quality-profiles.json`: each `profiles[]` entry <-> one `quality_profiles` row (`position`
 *   = its index), and the rest of the file <-> the `settings` row `quality-profiles`. That row
 *   exists iff the file exists, which matters: no file -> the API serves the 4 built-in
 *   defaults; a file whose `profiles` is not an array -> `[]`.
 * All round trips are exact (deep-equal).
 */

export const QUALITY_MAP_KEY = 'quality';
export const QUALITY_PROFILES_KEY = 'quality-profiles';

/** Reserved keys of the `quality-profiles` settings document and of a profile's `config`. */
export const ABSENT_KEY = '$absent';
/** `profiles` present but not an array: its value, kept verbatim. */
export const NON_ARRAY_PROFILES_KEY = '$profiles';
/** The whole file was not a JSON object: its value, kept verbatim. */
export const NON_OBJECT_DOCUMENT_KEY = '$document';

// ---- quality.json ----

/** Any JSON value: legacy wrote whatever the client sent. */
export const legacyQualityMapSchema = z.unknown().refine((v) => v !== undefined, 'quality.json is empty');

export function qualityMapToRow(map: QualityMap): Insertable<SettingsTable> {
  if (map === undefined) throw new Error('quality map is undefined (no file means no row)');
  return { key: QUALITY_MAP_KEY, value: JSON.stringify(map) };
}

export function qualityMapFromRow(row: Pick<Selectable<SettingsTable>, 'value'>): QualityMap {
  return JSON.parse(row.value) as unknown;
}

// ---- quality-profiles.json: one profile <-> one row ----

/** One legacy profile as found on disk: an object with a string id; anything else survives. */
export const legacyQualityProfileSchema = z.looseObject({ id: z.string().min(1) });
export type LegacyQualityProfile = z.infer<typeof legacyQualityProfileSchema>;

/** The legacy file may hold any JSON value (the codec keeps it); entries are checked one by one. */
export const legacyQualityProfilesFileSchema = z.unknown();

const KEY_ORDER = ['id', 'name', 'description', 'upgradeAllowed', 'cutoff', 'qualities', 'minSize', 'maxSize'] as const;
const KNOWN = new Set<string>(KEY_ORDER);

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function qualityProfileToRow(profile: LegacyQualityProfile, position: number): Insertable<QualityProfilesTable> {
  const p = profile as Record<string, unknown>;
  const config: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) if (!KNOWN.has(k)) setOwn(config, k, v);
  const row: Insertable<QualityProfilesTable> = {
    id: profile.id,
    name: '',
    description: null,
    upgrade_allowed: null,
    cutoff: null,
    qualities: null,
    min_size: null,
    max_size: null,
    position,
  };
  if (typeof p.name === 'string') row.name = p.name;
  else if ('name' in p) config.name = p.name;
  else config[ABSENT_KEY] = ['name'];
  if (typeof p.description === 'string') row.description = p.description;
  else if ('description' in p) config.description = p.description;
  if (typeof p.upgradeAllowed === 'boolean') row.upgrade_allowed = p.upgradeAllowed;
  else if ('upgradeAllowed' in p) config.upgradeAllowed = p.upgradeAllowed;
  if (typeof p.cutoff === 'string') row.cutoff = p.cutoff;
  else if ('cutoff' in p) config.cutoff = p.cutoff;
  if ('qualities' in p && p.qualities !== undefined) row.qualities = toJson(p.qualities);
  if (finite(p.minSize)) row.min_size = p.minSize;
  else if ('minSize' in p) config.minSize = p.minSize;
  if (finite(p.maxSize)) row.max_size = p.maxSize;
  else if ('maxSize' in p) config.maxSize = p.maxSize;
  row.config = Object.keys(config).length > 0 ? toJson(config) : null;
  return row;
}

export type QualityProfileRow = Pick<
  Selectable<QualityProfilesTable>,
  'id' | 'name' | 'description' | 'upgrade_allowed' | 'cutoff' | 'qualities' | 'min_size' | 'max_size' | 'config'
>;

export function qualityProfileFromRow(row: QualityProfileRow): QualityProfile {
  const cols: Record<string, unknown> = { id: row.id, name: row.name };
  if (row.description !== null) cols.description = row.description;
  const upgrade = fromBool(row.upgrade_allowed);
  if (upgrade !== undefined) cols.upgradeAllowed = upgrade;
  if (row.cutoff !== null) cols.cutoff = row.cutoff;
  if (row.qualities !== null) cols.qualities = fromJson(row.qualities);
  if (row.min_size !== null) cols.minSize = Number(row.min_size);
  if (row.max_size !== null) cols.maxSize = Number(row.max_size);
  const config = fromJson<Record<string, unknown>>(row.config) ?? {};
  const absent = new Set(Array.isArray(config[ABSENT_KEY]) ? (config[ABSENT_KEY] as string[]) : []);
  const out: Record<string, unknown> = {};
  for (const k of KEY_ORDER) {
    if (absent.has(k)) continue;
    if (k in config) out[k] = config[k];
    else if (k in cols) out[k] = cols[k];
  }
  for (const [k, v] of Object.entries(config)) if (!KNOWN.has(k) && k !== ABSENT_KEY) setOwn(out, k, v);
  return out as QualityProfile;
}

// ---- quality-profiles.json: the rest of the file <-> the `quality-profiles` settings row ----

/** The `profiles[]` entries of a legacy file (none when `profiles` is not an array). */
export function profileEntriesOf(file: unknown): unknown[] {
  return isObject(file) && Array.isArray(file.profiles) ? file.profiles : [];
}

/**
 * The file minus its `profiles` array -> the settings document: other top-level keys verbatim;
 * a missing `profiles` is listed in `$absent`, a non-array one kept in `$profiles`, and a file
 * that is not an object kept whole in `$document`.
 */
export function qualityProfilesEnvelope(file: unknown): Record<string, unknown> {
  if (!isObject(file)) return { [NON_OBJECT_DOCUMENT_KEY]: file };
  const doc: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(file)) if (k !== 'profiles') setOwn(doc, k, v);
  if (!('profiles' in file)) doc[ABSENT_KEY] = ['profiles'];
  else if (!Array.isArray(file.profiles)) doc[NON_ARRAY_PROFILES_KEY] = file.profiles;
  return doc;
}

/** True when the document says the file's `profiles` is a real array (else the API serves []). */
export function envelopeHasProfiles(doc: Record<string, unknown>): boolean {
  return !(NON_OBJECT_DOCUMENT_KEY in doc) && !(NON_ARRAY_PROFILES_KEY in doc) && !(ABSENT_KEY in doc);
}

/** The exact inverse: envelope + the profiles (as read from rows) -> the legacy file value. */
export function qualityProfilesFileFromEnvelope(doc: Record<string, unknown>, profiles: QualityProfile[]): unknown {
  if (NON_OBJECT_DOCUMENT_KEY in doc) return doc[NON_OBJECT_DOCUMENT_KEY];
  const out: Record<string, unknown> = {};
  if (NON_ARRAY_PROFILES_KEY in doc) out.profiles = doc[NON_ARRAY_PROFILES_KEY];
  else if (!(ABSENT_KEY in doc)) out.profiles = profiles;
  for (const [k, v] of Object.entries(doc)) if (k !== ABSENT_KEY && k !== NON_ARRAY_PROFILES_KEY) setOwn(out, k, v);
  return out;
}

export function qualityProfilesEnvelopeToRow(file: unknown): Insertable<SettingsTable> {
  return { key: QUALITY_PROFILES_KEY, value: JSON.stringify(qualityProfilesEnvelope(file)) };
}

export function qualityProfilesEnvelopeFromRow(row: Pick<Selectable<SettingsTable>, 'value'>): Record<string, unknown> {
  const doc = JSON.parse(row.value) as unknown;
  return isObject(doc) ? doc : { [NON_OBJECT_DOCUMENT_KEY]: doc };
}

/** A whole legacy file -> its settings row and profile rows (entries must pass legacyQualityProfileSchema). */
export function qualityProfilesFileToRows(file: unknown): { settings: Insertable<SettingsTable>; profiles: Insertable<QualityProfilesTable>[] } {
  const entries = profileEntriesOf(file) as LegacyQualityProfile[];
  return { settings: qualityProfilesEnvelopeToRow(file), profiles: entries.map((p, i) => qualityProfileToRow(p, i)) };
}
