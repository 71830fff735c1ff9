/**
 * THE table of legacy files the importer, verify-import and export walk (FORMATS.md §1): for each
 * file, its shape, where its records go (table + codec), how a record is identified, which of its
 * fields are legacy-encrypted secrets, and how a record's place in the file (its locator, a JSON
 * Pointer: `/items/12`, `/user_1`, `/qbittorrent`, `` for the whole document) is written.
 * Adding a legacy file = one entry here; the pipeline has no per-file code (long-file-reason: the one table of every legacy file, read as a whole).
 */
import type { z } from 'zod';
import {
  ABSENT_KEY as DOWNLOADER_ABSENT_KEY,
  type DownloaderRow,
  downloaderFromRow,
  downloaderToRow,
  legacyDownloaderSectionSchema,
} from '../downloaders/downloaders.codec.js';
import { CLIENT_TYPES, type ClientType } from '../downloaders/downloaders.types.js';
import { ABSENT_KEY as GRAB_ABSENT_KEY, type GrabRow, grabFromRow, grabToRow, legacyGrabSchema } from '../grabs/grabs.codec.js';
import {
  ABSENT_KEY as INDEXER_ABSENT_KEY,
  type IndexerRow,
  indexerFromRow,
  indexerSourcesFromRow,
  indexerSourcesToRow,
  indexerToRow,
  type LegacyIndexer,
  legacyIndexerSchema,
} from '../indexers/indexers.codec.js';
import * as library from '../library/library.codec.js';
import type { LibraryItem } from '../library/library.types.js';
import {
  type LegacyQualityProfile,
  legacyQualityMapSchema,
  legacyQualityProfileSchema,
  NON_ARRAY_PROFILES_KEY,
  NON_OBJECT_DOCUMENT_KEY,
  ABSENT_KEY as QUALITY_ABSENT_KEY,
  type QualityProfileRow,
  qualityMapFromRow,
  qualityMapToRow,
  qualityProfileFromRow,
  qualityProfilesEnvelope,
  qualityProfilesEnvelopeFromRow,
  qualityProfilesFileFromEnvelope,
  qualityProfileToRow,
} from '../quality/quality.codec.js';
import { legacySettingsDocumentSchema, settingsFromRow, settingsToRow } from '../settings/settings.codec.js';
import { emailKey, legacyUserSchema, ABSENT_KEY as USER_ABSENT_KEY, type UserRow, userFromRow, userToRow } from '../users/users.codec.js';
import type { UserRecord } from '../users/users.types.js';
import {
  legacyVerifyResultSchema,
  ABSENT_KEY as VERIFY_ABSENT_KEY,
  VERIFY_RESULT_COLUMNS,
  type VerifyResultRow,
  verifyResultFromRow,
  verifyResultToRow,
} from '../verify/verify.codec.js';
import type { VerifyResultRecord } from '../verify/verify.types.js';
import { legacyWantedItemSchema, WANTED_ITEM_COLUMNS, type WantedRow, wantedItemFromRow, wantedItemToRow, wantedRowId } from '../wanted/wanted.codec.js';
import type { WantedItem } from '../wanted/wanted.types.js';

export interface Sealer {
  seal(plaintext: string): string;
}
export interface Opener {
  open(sealed: string): string;
}

/** Tables the importer writes records into. */
export type TargetTable =
  | 'users'
  | 'library_items'
  | 'wanted_items'
  | 'downloaders'
  | 'indexers'
  | 'quality_profiles'
  | 'grabs'
  | 'verify_results'
  | 'settings';

/** Where a record sits in its file: `key` for map entries / sections / documents, `index` for array elements. */
export interface UnitRef {
  key: string;
  index: number;
}

type Row = Record<string, unknown>;

/** One kind of record and its table (a file has one or two: e.g. indexers.json = entries + sources document). */
export interface Target {
  name: string;
  table: TargetTable;
  /** The column that identifies a row (matched against `identity`). */
  keyColumn: string;
  /** settings rows: the one `key` this target owns (other rows of the table are left alone). */
  scope?: string;
  /** Columns to select to rebuild a record (never selectAll: some tables hold secrets). */
  columns: readonly string[];
  /** Export order. */
  orderBy: string;
  schema: z.ZodType;
  /** The row key of a valid record; `reason` when the record cannot be stored as it is. */
  identity(ref: UnitRef, record: any): { key: string } | { reason: string };
  /** A second unique key (e.g. case-folded email); a later record with the same one is quarantined. */
  unique?: { of(record: any): string; reason(firstLocator: string): string };
  /** Legacy-encrypted fields of a record (decrypted on import, encrypted on export). */
  secretPaths: readonly (readonly string[])[];
  /**
   * Keys the codec uses as its own markers in the row's JSON (e.g. `$absent`): a record that holds
   * one itself would not come back unchanged, so it is quarantined (for a rest target: that key).
   */
  reserved?: readonly string[];
  /** The record's strings that land in indexed columns (ids, keys, titles, ...), by field name. */
  indexed?(ref: UnitRef, record: any): [field: string, value: unknown][];
  toRow(ref: UnitRef, record: any, seal: Sealer): Row;
  /** Row -> the record and its key in the file (map key / section name; '' for array elements). */
  fromRow(row: any, open: Opener): { key: string; record: unknown };
}

export type FileShape =
  | { kind: 'map' }
  | {
      kind: 'array';
      arrayKey: string;
      /** Where the rest of the file (all but the array) goes; without one, other top-level keys are quarantined. */
      rest?: Target;
      /** The rest's record from the whole file (default: the file without the array; must accept any JSON value). */
      restOf?: (file: unknown) => unknown;
      /** The exact inverse for export (default: rest keys, then the array). */
      join?: (rest: unknown, elements: unknown[]) => unknown;
      /** Top-level keys the rest's codec uses as its own markers: a file holding one has it quarantined. */
      reserved?: readonly string[];
    }
  | { kind: 'sections'; sections: readonly string[] }
  | { kind: 'document' };

export interface LegacyFileSpec {
  file: string;
  shape: FileShape;
  /** Records of the main part (map entries, array elements, sections, or the whole document). */
  target: Target;
  /** Streamed element by element (library.json: up to millions of items). */
  streamed?: boolean;
  chunked?: boolean; // keyed files that grow (grabs, verify results, wanted): read record by record (keyed-stream.ts)
}

// ---- JSON Pointer locators (RFC 6901) ----
// One extension: a NUL or a lone surrogate in a key is written `~uXXXX` (hex), so the locator
// itself can be stored as text (RFC 6901 pointers never hold `~u`: `~` is always `~0`).

const UNSTORABLE_IN_KEY = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function pointer(...segments: (string | number)[]): string {
  return segments
    .map(
      (s) =>
        `/${String(s)
          .replace(/~/g, '~0')
          .replace(/\//g, '~1')
          .replace(UNSTORABLE_IN_KEY, (c) => `~u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}`,
    )
    .join('');
}

export function parsePointer(p: string): string[] {
  if (p === '') return [];
  return p
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~(u[0-9a-f]{4}|1|0)/g, (_, e: string) => (e === '0' ? '~' : e === '1' ? '/' : String.fromCharCode(parseInt(e.slice(1), 16)))));
}

// ---- targets ----

const byKey = (ref: UnitRef) => ({ key: ref.key });

const users: Target = {
  name: 'users',
  table: 'users',
  keyColumn: 'id',
  columns: ['id', 'email', 'password_hash', 'role', 'created_at', 'updated_at', 'last_login_at', 'extra'],
  orderBy: 'created_at',
  schema: legacyUserSchema,
  indexed: (_ref, r: UserRecord) => [
    ['id', r.id],
    ['email', r.email],
    ['email in lower case', emailKey(r.email)],
  ],
  identity: (ref, r: UserRecord) =>
    r.id === ref.key ? { key: r.id } : { reason: `its id "${r.id}" is not its key "${ref.key}" (users.json keys each user by id)` },
  unique: { of: (r: UserRecord) => emailKey(r.email), reason: (first) => `duplicate email (ignoring case) of the user at ${first}` },
  reserved: [USER_ABSENT_KEY],
  secretPaths: [],
  toRow: (_ref, r: UserRecord) => userToRow(r),
  fromRow: (row: UserRow) => {
    const record = userFromRow(row);
    return { key: record.id, record };
  },
};

export const libraryTarget: Target = {
  name: 'library',
  table: 'library_items',
  keyColumn: 'id',
  columns: library.LIBRARY_ITEM_COLUMNS,
  orderBy: 'seq',
  schema: library.importedLibraryItemSchema,
  reserved: [library.KIND_SPELLING_KEY],
  indexed: (_ref, r: LibraryItem) => [
    ['id', r.id],
    ['title in lower case', library.titleKey(r.title)],
  ],
  identity: (_ref, r: LibraryItem) => ({ key: r.id }),
  secretPaths: [],
  toRow: (_ref, r: LibraryItem) => library.libraryItemToRow(r),
  fromRow: (row: library.LibraryRow) => ({ key: '', record: library.legacyLibraryItemFromRow(row) }),
};

const wanted: Target = {
  name: 'wanted',
  table: 'wanted_items',
  keyColumn: 'id',
  columns: WANTED_ITEM_COLUMNS,
  orderBy: 'position',
  schema: legacyWantedItemSchema,
  indexed: (_ref, r: WantedItem) => [
    ['kind and id', `${r.kind}${r.id}`],
    ['addedAt', r.addedAt],
  ],
  identity: (_ref, r: WantedItem) => ({ key: wantedRowId(r.kind, r.id) }),
  secretPaths: [],
  toRow: (ref, r: WantedItem) => wantedItemToRow(r, undefined, ref.index),
  fromRow: (row: WantedRow) => ({ key: '', record: wantedItemFromRow(row) }),
};

const downloaders: Target = {
  name: 'downloaders',
  table: 'downloaders',
  keyColumn: 'client_type',
  columns: ['client_type', 'enabled', 'base_url', 'username', 'encrypted_password', 'encrypted_api_key', 'category', 'timeout_ms', 'config'],
  orderBy: 'client_type',
  schema: legacyDownloaderSectionSchema,
  identity: byKey,
  reserved: [DOWNLOADER_ABSENT_KEY],
  secretPaths: [['password'], ['apiKey']],
  toRow: (ref, r, seal) => downloaderToRow(ref.key as ClientType, r, seal),
  fromRow: (row: DownloaderRow, open) => ({ key: row.client_type, record: downloaderFromRow(row, open) }),
};

const indexers: Target = {
  name: 'indexers',
  table: 'indexers',
  keyColumn: 'id',
  columns: ['id', 'name', 'type', 'protocol', 'base_url', 'encrypted_api_key', 'enabled', 'priority', 'config'],
  orderBy: 'position',
  schema: legacyIndexerSchema,
  indexed: (_ref, r: LegacyIndexer) => [['id', r.id]],
  identity: (_ref, r: LegacyIndexer) => ({ key: r.id }),
  // Legacy never wrote an entry apiKey (FORMATS §3.4); one found there is taken as legacy-encrypted too.
  reserved: [INDEXER_ABSENT_KEY],
  secretPaths: [['apiKey']],
  toRow: (ref, r: LegacyIndexer, seal) => indexerToRow(r, seal, ref.index),
  fromRow: (row: IndexerRow, open) => ({ key: '', record: indexerFromRow(row, open) }),
};

/** A whole document stored as one `settings` row. */
function settingsTarget(
  scope: string,
  codec?: { schema?: z.ZodType; secretPaths?: string[][]; toRow?: (doc: any, seal: Sealer) => Row; fromRow?: (row: any, open: Opener) => unknown },
): Target {
  return {
    name: `settings:${scope}`,
    table: 'settings',
    keyColumn: 'key',
    scope,
    columns: ['key', 'value'],
    orderBy: 'key',
    schema: codec?.schema ?? legacySettingsDocumentSchema(scope),
    identity: () => ({ key: scope }),
    secretPaths: codec?.secretPaths ?? [],
    toRow: (_ref, doc, seal) => (codec?.toRow ? codec.toRow(doc, seal) : settingsToRow(scope, doc, seal)),
    fromRow: (row, open) => ({ key: scope, record: codec?.fromRow ? codec.fromRow(row, open) : settingsFromRow(row, open).value }),
  };
}

const indexerSources = settingsTarget('indexers', {
  schema: legacySettingsDocumentSchema('indexers'),
  secretPaths: [
    ['prowlarr', 'apiKey'],
    ['jackett', 'apiKey'],
  ],
  toRow: (doc, seal) => indexerSourcesToRow(doc, seal),
  fromRow: (row, open) => indexerSourcesFromRow(row, open),
});

const qualityProfiles: Target = {
  name: 'quality-profiles',
  table: 'quality_profiles',
  keyColumn: 'id',
  columns: ['id', 'name', 'description', 'upgrade_allowed', 'cutoff', 'qualities', 'min_size', 'max_size', 'config'],
  orderBy: 'position',
  schema: legacyQualityProfileSchema,
  indexed: (_ref, r: LegacyQualityProfile) => [['id', r.id]],
  identity: (_ref, r: LegacyQualityProfile) => ({ key: r.id }),
  reserved: [QUALITY_ABSENT_KEY],
  secretPaths: [],
  toRow: (ref, r: LegacyQualityProfile) => qualityProfileToRow(r, ref.index),
  fromRow: (row: QualityProfileRow) => ({ key: '', record: qualityProfileFromRow(row) }),
};

/**
 * The rest of quality-profiles.json: the quality codec's envelope, which also records a missing
 * or non-array `profiles` and a file that is not an object (so that file never needs quarantine).
 */
const qualityProfilesEnvelopeTarget = settingsTarget('quality-profiles', {
  schema: legacyQualityMapSchema,
  toRow: (envelope) => ({ key: 'quality-profiles', value: JSON.stringify(envelope) }),
  fromRow: (row) => qualityProfilesEnvelopeFromRow(row),
});

const grabs: Target = {
  name: 'grabs',
  table: 'grabs',
  keyColumn: 'key',
  columns: ['key', 'kind', 'item_id', 'title', 'link', 'protocol', 'client', 'ok', 'status', 'at', 'category', 'nzb_upload', 'extra'],
  orderBy: 'position',
  schema: legacyGrabSchema,
  indexed: (ref, r: Record<string, unknown>) => [
    ['key', ref.key],
    ['id', typeof r.id === 'string' ? r.id : ref.key],
    ['at', r.at],
  ],
  identity: byKey,
  reserved: [GRAB_ABSENT_KEY],
  secretPaths: [],
  toRow: (ref, r) => grabToRow(ref.key, r, ref.index),
  fromRow: (row: GrabRow) => ({ key: row.key, record: grabFromRow(row) }),
};

const verifyResults: Target = {
  name: 'verify-results',
  table: 'verify_results',
  keyColumn: 'key',
  columns: VERIFY_RESULT_COLUMNS,
  orderBy: 'position',
  schema: legacyVerifyResultSchema,
  indexed: (ref) => [['key', ref.key]],
  identity: byKey,
  reserved: [VERIFY_ABSENT_KEY],
  secretPaths: [],
  toRow: (ref, r: VerifyResultRecord) => verifyResultToRow(ref.key, r, undefined, ref.index),
  fromRow: (row: VerifyResultRow) => ({ key: row.key, record: verifyResultFromRow(row) }),
};

/** Every legacy file MediaOS v0.3 persists (FORMATS.md §1), in import order (library before the files that link to it). */
export const LEGACY_FILES: readonly LegacyFileSpec[] = [
  { file: 'users.json', shape: { kind: 'map' }, target: users },
  { file: 'library.json', shape: { kind: 'array', arrayKey: 'items' }, target: libraryTarget, streamed: true },
  { file: 'wanted.json', shape: { kind: 'array', arrayKey: 'items' }, target: wanted, chunked: true },
  { file: 'downloaders.json', shape: { kind: 'sections', sections: CLIENT_TYPES }, target: downloaders },
  { file: 'indexers.json', shape: { kind: 'array', arrayKey: 'indexers', rest: indexerSources }, target: indexers },
  {
    file: 'quality.json',
    shape: { kind: 'document' },
    target: settingsTarget('quality', { schema: legacyQualityMapSchema, toRow: (d) => qualityMapToRow(d), fromRow: (row) => qualityMapFromRow(row) }),
  },
  {
    file: 'quality-profiles.json',
    shape: {
      kind: 'array',
      arrayKey: 'profiles',
      rest: qualityProfilesEnvelopeTarget,
      restOf: (file) => qualityProfilesEnvelope(file),
      join: (envelope, profiles) => qualityProfilesFileFromEnvelope(envelope as Record<string, unknown>, profiles as never[]),
      reserved: [QUALITY_ABSENT_KEY, NON_ARRAY_PROFILES_KEY, NON_OBJECT_DOCUMENT_KEY],
    },
    target: qualityProfiles,
  },
  { file: 'grabs.json', shape: { kind: 'map' }, target: grabs, chunked: true },
  { file: 'verify.json', shape: { kind: 'document' }, target: settingsTarget('verify') },
  { file: 'verify-results.json', shape: { kind: 'map' }, target: verifyResults, chunked: true },
  { file: 'settings.json', shape: { kind: 'document' }, target: settingsTarget('settings') },
  { file: 'metadata.json', shape: { kind: 'document' }, target: settingsTarget('metadata', { secretPaths: [['tmdb', 'apiKey']] }) },
  { file: 'organizer.json', shape: { kind: 'document' }, target: settingsTarget('organizer') },
  { file: 'subtitle-automation.json', shape: { kind: 'document' }, target: settingsTarget('subtitle-automation') },
  { file: 'monitor.json', shape: { kind: 'document' }, target: settingsTarget('monitor') },
];

export function specFor(file: string): LegacyFileSpec | undefined {
  return LEGACY_FILES.find((s) => s.file === file);
}

/** Every target (one per table part), in import order. */
export function allTargets(): Target[] {
  const out: Target[] = [];
  for (const spec of LEGACY_FILES) {
    out.push(spec.target);
    if (spec.shape.kind === 'array' && spec.shape.rest) out.push(spec.shape.rest);
  }
  return out;
}
