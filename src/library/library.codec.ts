/**
 * THE mapping between a legacy `library.json` item and its `library_items` row, used by the sql
 * store, the importer and the exporter. `libraryItemFromRow(libraryItemToRow(r))` deep-equals `r`
 * for every record `legacyLibraryItemSchema` accepts:
 * - known keys whose value fits the column go to the column (title byte for byte, no trim);
 * - every other key, and a known key whose value does not fit (e.g. `year: "1995"`, an explicit
 *   `null`, a fractional `fileSize`), goes to the `extra` JSON column;
 * - `metadata` (a plain object) goes to the `metadata` JSON column.
 * NULL columns come back as absent keys; `extra` keys are merged back last.
 */
import type { Insertable, Selectable } from 'kysely';
import { z } from 'zod';
import type { LibraryItemsTable } from '../db/schema.js';
import { canonicalKind, isKindSpelling, KIND_SPELLING_KEY } from './library.kinds.js';
import { foldForSearch } from './library.search.js';
import { LIBRARY_KINDS, type LibraryItem, type LibraryPatch } from './library.types.js';

export { KIND_SPELLING_KEY } from './library.kinds.js';
export { foldForSearch } from './library.search.js';

/** One legacy item as found on disk; unknown keys survive. A failing record is quarantined. */
export const legacyLibraryItemSchema = z.looseObject({
  id: z.string(),
  kind: z.enum(LIBRARY_KINDS),
  title: z.string(),
});

/** An item as the importer takes it: a kind spelled in another case, with spaces or plural is imported as that kind (library.kinds.ts). */
export const importedLibraryItemSchema = legacyLibraryItemSchema.extend({
  kind: z.string().refine(isKindSpelling, { message: `must be one of ${LIBRARY_KINDS.join(', ')} (any case, spaces around or plural are taken)` }),
});

/** The row columns a LibraryItem needs (created_at/updated_at are DB-only and never exported). */
export type LibraryRow = Pick<
  Selectable<LibraryItemsTable>,
  'id' | 'kind' | 'title' | 'poster_url' | 'background_url' | 'year' | 'quality' | 'source' | 'file_path' | 'file_size' | 'metadata' | 'extra'
>;

/** The columns to select to rebuild an item (plus `seq` for keyset pagination). */
export const LIBRARY_ITEM_COLUMNS = [
  'id',
  'kind',
  'title',
  'poster_url',
  'background_url',
  'year',
  'quality',
  'source',
  'file_path',
  'file_size',
  'metadata',
  'extra',
] as const;

export type LibraryInsertRow = Insertable<LibraryItemsTable>;

type Secrets = { seal(s: string): string };
type Opener = { open(s: string): string };

const STRING_COLUMNS = {
  posterUrl: 'poster_url',
  backgroundUrl: 'background_url',
  quality: 'quality',
  source: 'source',
  filePath: 'file_path',
} as const;

const INT32_MAX = 2_147_483_647;
const isInt32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= INT32_MAX && !Object.is(v, -0);
const isSafeInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && !Object.is(v, -0);
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

/** Sets an own property even for "__proto__" (a legal JSON key that plain assignment would eat). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

/** `title_lower`: JS toLowerCase, the legacy case-insensitive uniqueness key. */
export function titleKey(title: string): string {
  return title.toLowerCase();
}

// The record carries no secrets; `secrets` keeps the signature every codec shares.
export function libraryItemToRow(record: LibraryItem, _secrets?: Secrets): LibraryInsertRow {
  // a legacy spelling of a kind ("Movie", "books"): stored as the kind, the spelling kept in extra
  const canonical = canonicalKind(record.kind);
  const row: LibraryInsertRow = {
    id: record.id,
    kind: canonical ?? record.kind,
    title: record.title,
    title_lower: titleKey(record.title),
    search_text: foldForSearch(record.title),
    poster_url: null,
    background_url: null,
    year: null,
    quality: null,
    source: null,
    file_path: null,
    file_size: null,
    metadata: null,
    extra: null,
  };
  const extra: Record<string, unknown> = {};
  let hasExtra = false;
  if (canonical !== undefined) {
    extra[KIND_SPELLING_KEY] = record.kind;
    hasExtra = true;
  }
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (key === 'id' || key === 'kind' || key === 'title') continue;
    if (value === undefined) continue; // JSON never holds undefined; JSON.stringify drops it too
    if (Object.hasOwn(STRING_COLUMNS, key) && typeof value === 'string') {
      row[STRING_COLUMNS[key as keyof typeof STRING_COLUMNS]] = value;
    } else if (key === 'year' && isInt32(value)) {
      row.year = value;
    } else if (key === 'fileSize' && isSafeInt(value)) {
      row.file_size = value;
    } else if (key === 'metadata' && isPlainObject(value)) {
      row.metadata = JSON.stringify(value);
    } else {
      setOwn(extra, key, value);
      hasExtra = true;
    }
  }
  if (hasExtra) row.extra = JSON.stringify(extra);
  return row;
}

// Key order of a rebuilt item: the order MediaOS writes known keys, then the unknown ones.
export function libraryItemFromRow(row: LibraryRow, _secrets?: Opener): LibraryItem {
  const item: LibraryItem = { id: row.id, kind: row.kind, title: row.title };
  if (row.poster_url !== null) item.posterUrl = row.poster_url;
  if (row.background_url !== null) item.backgroundUrl = row.background_url;
  if (row.year !== null) item.year = Number(row.year);
  if (row.quality !== null) item.quality = row.quality;
  if (row.source !== null) item.source = row.source;
  if (row.file_path !== null) item.filePath = row.file_path;
  if (row.file_size !== null) item.fileSize = Number(row.file_size);
  if (row.metadata !== null) item.metadata = JSON.parse(row.metadata) as Record<string, unknown>;
  if (row.extra !== null) {
    const extra = JSON.parse(row.extra) as Record<string, unknown>;
    for (const key of Object.keys(extra)) if (key !== KIND_SPELLING_KEY) setOwn(item, key, extra[key]);
  }
  return item;
}

/** The item as the legacy file held it: a normalized kind spelled as it was (export, verify, the import's read-back). */
export function legacyLibraryItemFromRow(row: LibraryRow): LibraryItem {
  const item = libraryItemFromRow(row);
  if (row.extra !== null && row.extra.includes(KIND_SPELLING_KEY)) {
    const spelling = (JSON.parse(row.extra) as Record<string, unknown>)[KIND_SPELLING_KEY];
    if (typeof spelling === 'string') item.kind = spelling as LibraryItem['kind'];
  }
  return item;
}

/** PATCH semantics on a record: set given keys (new keys go last, as a legacy spread does), drop `null` URLs. */
export function applyPatch(item: LibraryItem, patch: LibraryPatch): LibraryItem {
  const next: LibraryItem = { ...item };
  if (patch.kind !== undefined) next.kind = patch.kind;
  if (patch.title !== undefined) next.title = patch.title;
  for (const key of ['posterUrl', 'backgroundUrl'] as const) {
    const v = patch[key];
    if (v === null) delete next[key];
    else if (v !== undefined) next[key] = v;
  }
  if (patch.filePath !== undefined) next.filePath = patch.filePath;
  if (patch.fileSize !== undefined) next.fileSize = patch.fileSize;
  if (patch.quality !== undefined) next.quality = patch.quality;
  if (patch.source !== undefined) next.source = patch.source;
  if (patch.year !== undefined) next.year = patch.year;
  if (patch.metadata !== undefined) next.metadata = patch.metadata;
  return next;
}
