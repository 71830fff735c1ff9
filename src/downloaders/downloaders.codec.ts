import type { Insertable, Selectable } from 'kysely';
import { z } from 'zod';
import { fromBool, fromJson, setOwn, toJson } from '../db/json.js';
import type { DownloadersTable } from '../db/schema.js';
import { legacyEncryptAsync, looksLegacyEncrypted, readLegacySecretAsync } from '../security/legacy-crypto.js';
import { CLIENT_TYPES, type ClientType, type DownloaderSection, type DownloadersSettings } from './downloaders.types.js';

/**
 * THE mapping between one legacy `downloaders.json` section and its `downloaders` row (one row
 * per client type, id = client type). Used by the sql store and by the importer/exporter.
 *
 * - Known keys with a value that fits go to columns: enabled, baseUrl, username, password and
 *   apiKey (sealed: `encrypted_password` / `encrypted_api_key`, for every client type, so a
 *   secret never lands in plain JSON), timeoutMs (an integer in the INTEGER range), category.
 * - Every other key, and a known key whose value does not fit (e.g. `timeoutMs: "5000"`), goes
 *   to the `config` JSON column and wins over the column on the way back.
 * - `enabled` is NOT NULL: a section without it records that in `config["$absent"]`, so
 *   `downloaderFromRow(downloaderToRow(s))` deep-equals `s` for every section. `$absent` is a
 *   reserved key of the config column.
 */

export const ABSENT_KEY = '$absent';

/** One legacy section as found on disk: any object (wrongly typed known keys are kept in `config`). */
export const legacyDownloaderSectionSchema = z.looseObject({});

/** The legacy file: an object whose three known members, when present, are sections. */
export const legacyDownloadersFileSchema = z.looseObject({
  qbittorrent: legacyDownloaderSectionSchema.optional(),
  nzbget: legacyDownloaderSectionSchema.optional(),
  sabnzbd: legacyDownloaderSectionSchema.optional(),
});

export interface Sealer {
  seal(plaintext: string): string;
}
export interface Opener {
  open(sealed: string): string;
}

/** Section key -> column, for the keys that have one (the order is the order fromRow writes). */
const STRING_COLUMNS = [
  ['baseUrl', 'base_url'],
  ['username', 'username'],
] as const;
const SECRET_COLUMNS = [
  ['password', 'encrypted_password'],
  ['apiKey', 'encrypted_api_key'],
] as const;
const KEY_ORDER = ['enabled', 'baseUrl', 'username', 'password', 'apiKey', 'timeoutMs', 'category'] as const;
const KNOWN = new Set<string>(KEY_ORDER);
const INT_MAX = 2_147_483_647;

/** The secret fields of a section (plaintext in memory; encrypted in every store). */
export const SECRET_FIELDS = ['password', 'apiKey'] as const;

function fitsInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= INT_MAX;
}

/** A section as the importer has it (any object) or as the app has it (DownloaderSection). */
export type LegacyDownloaderSection = z.infer<typeof legacyDownloaderSectionSchema>;

export function downloaderToRow(clientType: ClientType, section: LegacyDownloaderSection, secrets: Sealer): Insertable<DownloadersTable> {
  const config: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(section)) if (!KNOWN.has(k)) setOwn(config, k, v);

  const row: Insertable<DownloadersTable> = {
    id: clientType,
    client_type: clientType,
    enabled: section.enabled === true,
    base_url: null,
    username: null,
    encrypted_password: null,
    encrypted_api_key: null,
    category: null,
    timeout_ms: null,
  };
  if (!('enabled' in section)) config[ABSENT_KEY] = ['enabled'];
  else if (typeof section.enabled !== 'boolean') config.enabled = section.enabled;

  for (const [key, col] of STRING_COLUMNS) {
    const v = section[key];
    if (typeof v === 'string') row[col] = v;
    else if (key in section) config[key] = v;
  }
  for (const [key, col] of SECRET_COLUMNS) {
    const v = section[key];
    if (typeof v === 'string') row[col] = secrets.seal(v);
    else if (key in section) config[key] = v;
  }
  if (typeof section.category === 'string') row.category = section.category;
  else if ('category' in section) config.category = section.category;
  if (fitsInt(section.timeoutMs)) row.timeout_ms = section.timeoutMs;
  else if ('timeoutMs' in section) config.timeoutMs = section.timeoutMs;

  row.config = Object.keys(config).length > 0 ? toJson(config) : null;
  return row;
}

export type DownloaderRow = Pick<
  Selectable<DownloadersTable>,
  'client_type' | 'enabled' | 'base_url' | 'username' | 'encrypted_password' | 'encrypted_api_key' | 'category' | 'timeout_ms' | 'config'
>;

export function downloaderFromRow(row: DownloaderRow, secrets: Opener): DownloaderSection {
  const out: DownloaderSection = { enabled: fromBool(row.enabled) ?? false };
  if (row.base_url !== null) out.baseUrl = row.base_url;
  if (row.username !== null) out.username = row.username;
  if (row.encrypted_password !== null) out.password = secrets.open(row.encrypted_password);
  if (row.encrypted_api_key !== null) out.apiKey = secrets.open(row.encrypted_api_key);
  if (row.timeout_ms !== null) out.timeoutMs = Number(row.timeout_ms);
  if (row.category !== null) out.category = row.category;
  const config = fromJson<Record<string, unknown>>(row.config) ?? {};
  const absent = Array.isArray(config[ABSENT_KEY]) ? (config[ABSENT_KEY] as string[]) : [];
  // Known keys first in the legacy order, so a file written from a row reads like the old one.
  const ordered: DownloaderSection = {};
  const src = out as Record<string, unknown>;
  const dst = ordered as Record<string, unknown>;
  for (const k of KEY_ORDER) {
    if (k in config) dst[k] = config[k];
    else if (k in src) dst[k] = src[k];
  }
  for (const [k, v] of Object.entries(config)) if (!KNOWN.has(k) && k !== ABSENT_KEY) setOwn(ordered, k, v);
  for (const k of absent) delete ordered[k];
  return ordered;
}

/** Rows for a whole document (one per section present). */
export function downloadersToRows(settings: DownloadersSettings, secrets: Sealer): Insertable<DownloadersTable>[] {
  return CLIENT_TYPES.filter((t) => settings[t] !== undefined).map((t) => downloaderToRow(t, settings[t] as DownloaderSection, secrets));
}

// ---- legacy at-rest secrets (the file format: FORMATS.md §2.2) ----

export interface SecretProblem {
  client: ClientType;
  field: (typeof SECRET_FIELDS)[number];
  /** Why it could not be decrypted; never holds the value. */
  reason: string;
}

/**
 * A section as read from the legacy file -> the same section with plaintext secrets. Files may
 * mix plaintext (v0.3.1 and earlier) and ciphertext; a value that looks encrypted but does not
 * decrypt is kept raw (as legacy did) and reported in `problems`.
 * `cache` (ciphertext -> plaintext) spares the 100k-round PBKDF2 for values seen before.
 */
export async function openLegacySection(
  client: ClientType,
  section: Record<string, unknown>,
  legacyKey: string,
  cache?: Map<string, string>,
): Promise<{ section: DownloaderSection; problems: SecretProblem[] }> {
  const out: DownloaderSection = { ...section };
  const problems: SecretProblem[] = [];
  for (const field of SECRET_FIELDS) {
    const v = section[field];
    if (typeof v !== 'string' || v === '') continue;
    const hit = cache?.get(v);
    if (hit !== undefined) {
      out[field] = hit;
      continue;
    }
    const r = await readLegacySecretAsync(v, legacyKey);
    if (r.kind === 'decrypted' || r.kind === 'plaintext') {
      out[field] = r.value;
      if (r.kind === 'decrypted') cache?.set(v, r.value);
    } else if (r.kind === 'undecryptable') {
      problems.push({ client, field, reason: r.reason });
    }
  }
  return { section: out, problems };
}

/**
 * A plaintext section -> the legacy file form (secrets encrypted with the legacy key, empty
 * strings left empty as legacy did). When `previous` (the section now on disk) holds a
 * ciphertext of the same plaintext, it is reused: the file does not churn on every save.
 */
export async function sealLegacySection(
  section: DownloaderSection,
  legacyKey: string,
  previous?: Record<string, unknown>,
  cache?: Map<string, string>,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { ...section };
  for (const field of SECRET_FIELDS) {
    const v = section[field];
    if (typeof v !== 'string' || v === '') continue;
    const prev = previous?.[field];
    // Same ciphertext as before; or the same undecryptable raw value, kept as it was on disk.
    if (typeof prev === 'string' && ((prev !== v && cache?.get(prev) === v) || (prev === v && looksLegacyEncrypted(v)))) {
      out[field] = prev;
      continue;
    }
    const sealed = await legacyEncryptAsync(v, legacyKey);
    cache?.set(sealed, v);
    out[field] = sealed;
  }
  return out;
}
