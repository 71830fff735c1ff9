import type { Insertable, Selectable } from 'kysely';
import { z } from 'zod';
import { fromBool, fromJson, isObject, toJson } from '../db/json.js';
import type { IndexersTable, SettingsTable } from '../db/schema.js';
import { legacyEncryptAsync, looksLegacyEncrypted, readLegacySecretAsync } from '../security/legacy-crypto.js';
import { SECRET_BOX_PREFIX } from '../security/secret-box.js';
import { INDEXER_PROTOCOLS, INDEXER_TYPES, type IndexerConfig, type IndexerSources, SYNC_SOURCES, type SyncSource } from './indexers.types.js';

/**
 * THE mapping between legacy `indexers.json` and the database (FORMATS.md §3.4), used by the sql
 * store and by the importer/exporter:
 * - each `indexers[]` entry <-> one `indexers` row (`position` = its index in the array);
 * - everything else of the file (`prowlarr`, `jackett`, any other top-level key) <-> ONE
 *   `settings` row, key `indexers`, whose JSON holds the apiKeys sealed with the secret box.
 * Round trips are exact: `indexerFromRow(indexerToRow(r))` and
 * `indexerSourcesFromDoc(indexerSourcesToDoc(t))` deep-equal their input.
 */

export const INDEXERS_SETTINGS_KEY = 'indexers';
/** Reserved key of the `config` column: known keys that were absent from the legacy entry. */
export const ABSENT_KEY = '$absent';

export interface Sealer {
  seal(plaintext: string): string;
}
export interface Opener {
  open(sealed: string): string;
}

/** One legacy entry as found on disk: an object with a string id; anything else survives. */
export const legacyIndexerSchema = z.looseObject({ id: z.string().min(1) });
export type LegacyIndexer = z.infer<typeof legacyIndexerSchema>;

/** The legacy file: sources are objects when present; entries are checked one by one. */
export const legacyIndexersFileSchema = z.looseObject({
  prowlarr: z.looseObject({}).optional(),
  jackett: z.looseObject({}).optional(),
  indexers: z.array(z.unknown()).optional(),
});

const KEY_ORDER = ['id', 'name', 'type', 'protocol', 'enabled', 'baseUrl', 'priority', 'apiKey'] as const;
const KNOWN = new Set<string>(KEY_ORDER);
const INT_MAX = 2_147_483_647;

const fitsInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= INT_MAX;
const isOneOf = <T extends string>(list: readonly T[], v: unknown): v is T => typeof v === 'string' && (list as readonly string[]).includes(v);

/** Assigns an own data property (also `__proto__`). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

/**
 * Known keys whose value fits go to columns; every other key, and a known key whose value does
 * not fit (e.g. `priority: "10"`), goes to `config` and wins on the way back. NOT NULL columns
 * of an entry that lacks the key get a placeholder and the key is listed in `config.$absent`.
 */
export function indexerToRow(record: LegacyIndexer, secrets: Sealer, position: number): Insertable<IndexersTable> {
  const r = record as Record<string, unknown>;
  const config: Record<string, unknown> = {};
  const absent: string[] = [];
  for (const [k, v] of Object.entries(r)) if (!KNOWN.has(k)) setOwn(config, k, v);

  const row: Insertable<IndexersTable> = {
    id: record.id,
    name: '',
    type: 'manual',
    protocol: 'torrent',
    base_url: null,
    encrypted_api_key: null,
    enabled: true,
    priority: null,
    position,
  };
  const notNull = (key: string, fits: boolean, set: () => void) => {
    if (!(key in r)) absent.push(key);
    else if (fits) set();
    else config[key] = r[key];
  };
  notNull('name', typeof r.name === 'string', () => (row.name = r.name as string));
  notNull('type', isOneOf(INDEXER_TYPES, r.type), () => (row.type = r.type as IndexerConfig['type']));
  notNull('protocol', isOneOf(INDEXER_PROTOCOLS, r.protocol), () => (row.protocol = r.protocol as IndexerConfig['protocol']));
  notNull('enabled', typeof r.enabled === 'boolean', () => (row.enabled = r.enabled as boolean));

  if (typeof r.baseUrl === 'string') row.base_url = r.baseUrl;
  else if ('baseUrl' in r) config.baseUrl = r.baseUrl;
  if (fitsInt(r.priority)) row.priority = r.priority;
  else if ('priority' in r) config.priority = r.priority;
  if (typeof r.apiKey === 'string') row.encrypted_api_key = secrets.seal(r.apiKey);
  else if ('apiKey' in r) config.apiKey = r.apiKey;

  if (absent.length > 0) config[ABSENT_KEY] = absent;
  row.config = Object.keys(config).length > 0 ? toJson(config) : null;
  return row;
}

export type IndexerRow = Pick<
  Selectable<IndexersTable>,
  'id' | 'name' | 'type' | 'protocol' | 'base_url' | 'encrypted_api_key' | 'enabled' | 'priority' | 'config'
>;

export function indexerFromRow(row: IndexerRow, secrets: Opener): IndexerConfig {
  const cols: Record<string, unknown> = {
    id: row.id,
    name: row.name,
    type: row.type,
    protocol: row.protocol,
    enabled: fromBool(row.enabled) ?? true,
  };
  if (row.base_url !== null) cols.baseUrl = row.base_url;
  if (row.priority !== null) cols.priority = Number(row.priority);
  if (row.encrypted_api_key !== null) cols.apiKey = secrets.open(row.encrypted_api_key);
  const config = fromJson<Record<string, unknown>>(row.config) ?? {};
  const absent = new Set(Array.isArray(config[ABSENT_KEY]) ? (config[ABSENT_KEY] as string[]) : []);
  // Known keys first in the legacy order, so a file written from rows reads like the old one.
  const out: Record<string, unknown> = {};
  for (const k of KEY_ORDER) {
    if (absent.has(k)) continue;
    if (k in config) out[k] = config[k];
    else if (k in cols) out[k] = cols[k];
  }
  for (const [k, v] of Object.entries(config)) if (!KNOWN.has(k) && k !== ABSENT_KEY) setOwn(out, k, v);
  return out as IndexerConfig;
}

// ---- the sources document (settings row `indexers`) ----

/** Legacy top-level keys -> the sources document: `indexers` left out, apiKeys sealed. */
export function indexerSourcesToDoc(top: Record<string, unknown>, secrets: Sealer): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(top)) {
    if (k === 'indexers') continue;
    if ((SYNC_SOURCES as readonly string[]).includes(k) && isObject(v) && typeof v.apiKey === 'string' && v.apiKey !== '') {
      setOwn(doc, k, { ...v, apiKey: secrets.seal(v.apiKey) });
    } else {
      setOwn(doc, k, v);
    }
  }
  return doc;
}

/** The exact inverse of indexerSourcesToDoc (sealed apiKeys opened). */
export function indexerSourcesFromDoc(doc: Record<string, unknown>, secrets: Opener): IndexerSources {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) {
    if ((SYNC_SOURCES as readonly string[]).includes(k) && isObject(v) && typeof v.apiKey === 'string' && v.apiKey.startsWith(SECRET_BOX_PREFIX)) {
      setOwn(out, k, { ...v, apiKey: secrets.open(v.apiKey) });
    } else {
      setOwn(out, k, v);
    }
  }
  return out as IndexerSources;
}

export function indexerSourcesToRow(top: Record<string, unknown>, secrets: Sealer): Insertable<SettingsTable> {
  return { key: INDEXERS_SETTINGS_KEY, value: JSON.stringify(indexerSourcesToDoc(top, secrets)) };
}

export function indexerSourcesFromRow(row: Pick<Selectable<SettingsTable>, 'value'>, secrets: Opener): IndexerSources {
  const doc = JSON.parse(row.value) as unknown;
  return isObject(doc) ? indexerSourcesFromDoc(doc, secrets) : {};
}

// ---- legacy at-rest secrets (FORMATS.md §2.2) ----

export interface SourceSecretProblem {
  source: SyncSource;
  /** Why it could not be decrypted; never holds the value. */
  reason: string;
}

/**
 * Legacy top-level keys as read from disk -> plaintext apiKeys. Plaintext legacy keys pass
 * through; a value that looks encrypted but does not decrypt is kept raw and reported (legacy
 * dropped the whole file instead). `cache` maps ciphertext -> plaintext across calls.
 */
export async function openLegacyIndexerSources(
  top: Record<string, unknown>,
  legacyKey: string | undefined,
  cache?: Map<string, string>,
): Promise<{ sources: IndexerSources; problems: SourceSecretProblem[] }> {
  const out: Record<string, unknown> = {};
  const problems: SourceSecretProblem[] = [];
  for (const [k, v] of Object.entries(top)) {
    if (k === 'indexers') continue;
    setOwn(out, k, v);
    if (!(SYNC_SOURCES as readonly string[]).includes(k) || !isObject(v) || typeof v.apiKey !== 'string' || v.apiKey === '') continue;
    const hit = cache?.get(v.apiKey);
    if (hit !== undefined) {
      out[k] = { ...v, apiKey: hit };
      continue;
    }
    const r = await readLegacySecretAsync(v.apiKey, legacyKey);
    if (r.kind === 'decrypted' || r.kind === 'plaintext') {
      out[k] = { ...v, apiKey: r.value };
      if (r.kind === 'decrypted') cache?.set(v.apiKey, r.value);
    } else if (r.kind === 'undecryptable') {
      problems.push({ source: k as SyncSource, reason: r.reason });
    }
  }
  return { sources: out as IndexerSources, problems };
}

/**
 * Plaintext sources -> what the legacy server writes (apiKeys in the legacy ciphertext). A
 * ciphertext in `previous` (the file's current top level) of the same plaintext is reused, so a
 * save does not churn the file; an undecryptable raw value is written back unchanged.
 */
export async function sealLegacyIndexerSources(
  sources: IndexerSources,
  legacyKey: string,
  previous?: Record<string, unknown>,
  cache?: Map<string, string>,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(sources)) {
    setOwn(out, k, v);
    if (!(SYNC_SOURCES as readonly string[]).includes(k) || !isObject(v) || typeof v.apiKey !== 'string' || v.apiKey === '') continue;
    const plain = v.apiKey;
    const prevSection = previous?.[k];
    const prev = isObject(prevSection) ? prevSection.apiKey : undefined;
    if (typeof prev === 'string' && ((prev !== plain && cache?.get(prev) === plain) || (prev === plain && looksLegacyEncrypted(plain)))) {
      out[k] = { ...v, apiKey: prev };
      continue;
    }
    const sealed = await legacyEncryptAsync(plain, legacyKey);
    cache?.set(sealed, plain);
    out[k] = { ...v, apiKey: sealed };
  }
  return out;
}
