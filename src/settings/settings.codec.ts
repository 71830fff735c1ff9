/**
 * THE mapping between a whole legacy settings document (`<configDir>/<key>.json`) and its
 * `settings` row, used by the sql store and by the importer/exporter.
 * - The row's `value` holds the document as JSON, every key kept (unknown keys included).
 * - Secret fields (SECRET_FIELDS) are sealed with the secret box inside that JSON; everything else
 *   is stored verbatim. `settingsFromRow(settingsToRow(k, d))` deep-equals `d` for every document
 *   `legacySettingsDocumentSchema(k)` accepts.
 * - A row exists iff the legacy file exists: absent documents have no row (defaults are applied
 *   by the services, never stored).
 * Legacy files hold `metadata.json` `tmdb.apiKey` in the legacy ciphertext (or plaintext for old
 * installs): `openLegacyDocumentSecrets` turns a document read from disk into plaintext, and
 * `sealLegacyDocumentSecrets` turns a plaintext document into what the legacy server would write.
 */
import type { Insertable, Selectable } from 'kysely';
import { z } from 'zod';
import { isObject } from '../db/json.js';
import type { SettingsTable } from '../db/schema.js';
import { legacyEncryptAsync, readLegacySecretAsync } from '../security/legacy-crypto.js';
import { SECRET_BOX_PREFIX } from '../security/secret-box.js';
import type { SettingsDocument } from './settings.types.js';

export type Sealer = { seal(s: string): string };
export type Opener = { open(s: string): string };

/**
 * Where documents hold secrets. `legacy` says how the legacy file holds the field: `encrypted`
 * (the legacy AES format) or `plaintext` (the legacy server never encrypted it). In the database
 * both are sealed.
 */
export const SECRET_FIELDS: readonly { key: string; path: readonly string[]; legacy: 'encrypted' | 'plaintext' }[] = [
  { key: 'metadata', path: ['tmdb', 'apiKey'], legacy: 'encrypted' },
  { key: 'settings', path: ['openSubtitlesApiKey'], legacy: 'plaintext' },
];

const secretString = z.string().optional();
const objectDocument = z.looseObject({});

/**
 * One legacy document as found on disk: a JSON object, with secret fields (when present) being
 * strings. Everything else is free-form (the legacy readers were lenient and spread the document
 * over defaults); a document that fails is quarantined by the importer with the zod message.
 */
export function legacySettingsDocumentSchema(key: string): z.ZodType<SettingsDocument> {
  switch (key) {
    case 'metadata':
      return z.looseObject({ tmdb: z.looseObject({ apiKey: secretString }).optional() }) as z.ZodType<SettingsDocument>;
    case 'settings':
      return z.looseObject({ openSubtitlesApiKey: secretString }) as z.ZodType<SettingsDocument>;
    default:
      return objectDocument as z.ZodType<SettingsDocument>;
  }
}

export type SettingsRow = Pick<Selectable<SettingsTable>, 'key' | 'value'>;

/**
 * Returns a copy of `doc` where each secret string of `key` is replaced by `map(value)`; the
 * objects along the path are copied, nothing else is touched (and `doc` is never mutated).
 */
export function mapDocumentSecrets(
  key: string,
  doc: SettingsDocument,
  map: (value: string, field: (typeof SECRET_FIELDS)[number]) => string,
): SettingsDocument {
  if (!isObject(doc)) return doc; // generic documents of other domains may be any JSON value
  let out = doc;
  for (const field of SECRET_FIELDS) {
    if (field.key !== key) continue;
    out = mapPath(out, field.path, (v) => map(v, field));
  }
  return out;
}

function mapPath(obj: Record<string, unknown>, path: readonly string[], map: (v: string) => string): Record<string, unknown> {
  const [head, ...rest] = path;
  if (!Object.hasOwn(obj, head)) return obj;
  const current = obj[head];
  let next: unknown = current;
  if (rest.length === 0) {
    if (typeof current !== 'string' || current === '') return obj;
    next = map(current);
  } else {
    if (!isObject(current)) return obj;
    next = mapPath(current, rest, map);
  }
  if (next === current) return obj;
  const copy: Record<string, unknown> = {};
  for (const k of Object.keys(obj)) setOwn(copy, k, k === head ? next : obj[k]);
  return copy;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

/** Known secret fields sealed; the rest of the document as is. */
export function settingsToRow(key: string, doc: SettingsDocument, secrets: Sealer): Insertable<SettingsTable> {
  const sealed = mapDocumentSecrets(key, doc, (v) => secrets.seal(v));
  return { key, value: JSON.stringify(sealed) };
}

/** The exact inverse of settingsToRow (sealed secret fields opened). */
export function settingsFromRow(row: SettingsRow, secrets: Opener): { key: string; value: SettingsDocument } {
  const stored = JSON.parse(row.value) as SettingsDocument;
  const value = mapDocumentSecrets(row.key, stored, (v) => (v.startsWith(SECRET_BOX_PREFIX) ? secrets.open(v) : v));
  return { key: row.key, value };
}

/** Secret fields of a legacy document that looked encrypted but could not be decrypted. */
export interface OpenedLegacyDocument {
  value: SettingsDocument;
  /** Dotted paths (e.g. `tmdb.apiKey`) kept as the raw ciphertext; no value is ever listed. */
  undecryptable: string[];
}

/**
 * A legacy document read from disk -> plaintext secrets. Legacy ciphertexts are decrypted with
 * the legacy ENCRYPTION_KEY; plaintext legacy secrets pass through (old installs). A value that
 * does not decrypt is kept raw and its path reported, never dropped.
 */
export async function openLegacyDocumentSecrets(key: string, doc: SettingsDocument, legacyKey: string | undefined): Promise<OpenedLegacyDocument> {
  const decrypted = new Map<string, string>();
  const undecryptable: string[] = [];
  for (const field of SECRET_FIELDS) {
    if (field.key !== key || field.legacy !== 'encrypted') continue;
    const raw = readPath(doc, field.path);
    if (typeof raw !== 'string' || raw === '') continue;
    const r = await readLegacySecretAsync(raw, legacyKey);
    if (r.kind === 'decrypted' || r.kind === 'plaintext') decrypted.set(field.path.join('.'), r.value);
    else if (r.kind === 'undecryptable') undecryptable.push(field.path.join('.'));
  }
  const value = mapDocumentSecrets(key, doc, (v, field) => decrypted.get(field.path.join('.')) ?? v);
  return { value, undecryptable };
}

/**
 * A plaintext document -> what the legacy server writes: `encrypted` fields in the legacy AES
 * format (a value listed in `keepRaw`, e.g. an undecryptable ciphertext read earlier, is written
 * back unchanged), `plaintext` fields as they are.
 */
export async function sealLegacyDocumentSecrets(
  key: string,
  doc: SettingsDocument,
  legacyKey: string,
  keepRaw: ReadonlySet<string> = new Set(),
): Promise<SettingsDocument> {
  const sealed = new Map<string, string>();
  for (const field of SECRET_FIELDS) {
    if (field.key !== key || field.legacy !== 'encrypted') continue;
    const plain = readPath(doc, field.path);
    if (typeof plain !== 'string' || plain === '' || keepRaw.has(plain)) continue;
    sealed.set(field.path.join('.'), await legacyEncryptAsync(plain, legacyKey));
  }
  return mapDocumentSecrets(key, doc, (v, field) => sealed.get(field.path.join('.')) ?? v);
}

function readPath(doc: SettingsDocument, path: readonly string[]): unknown {
  let cur: unknown = doc;
  for (const p of path) {
    if (!isObject(cur) || !Object.hasOwn(cur, p)) return undefined;
    cur = cur[p];
  }
  return cur;
}
