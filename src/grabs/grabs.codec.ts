import type { Insertable, Selectable } from 'kysely';
import { z } from 'zod';
import { fromBool, fromJson, setOwn, toJson } from '../db/json.js';
import type { GrabsTable } from '../db/schema.js';
import { type GrabRecord, splitGrabKey } from './grabs.types.js';

/**
 * THE mapping between one legacy `grabs.json` entry (`key` -> record) and its `grabs` row. Used
 * by the sql store and by the importer/exporter.
 *
 * - `key` is kept verbatim (primary key). Columns `kind`/`item_id` hold the record's own `kind`
 *   and `id` fields; when a record lacks them (or they are not strings) the columns fall back to
 *   the key split on its FIRST ':' and the record's value (if any) stays in `extra`.
 * - `link`: a string, or NULL for the legacy explicit `null`. A record WITHOUT `link` is marked in
 *   `extra["$absent"]` (as is a record without `kind`/`id`): `$absent` is a reserved key.
 * - `status` and `nzbUpload` are JSON columns, so any value round-trips (SQL NULL = absent;
 *   JSON `null` = an explicit null).
 * - Every other key, and a known key whose value does not fit its column, goes to `extra` and
 *   wins over the column on the way back. `grabFromRow(grabToRow(k, r, p))` deep-equals `r`.
 * - `library_item_id` is not decided here: the sql store links it to an existing library item.
 */

export const ABSENT_KEY = '$absent';

/** One legacy grab record as found on disk: any object (quarantine anything else). */
export const legacyGrabSchema = z.looseObject({});

/** The legacy file: an object keyed `<kind>:<id>`. */
export const legacyGrabsFileSchema = z.record(z.string(), z.unknown());

const KEY_ORDER = ['kind', 'id', 'title', 'link', 'protocol', 'client', 'ok', 'status', 'at', 'category', 'nzbUpload'] as const;
const KNOWN = new Set<string>(KEY_ORDER);
const STRING_COLUMNS = [
  ['title', 'title'],
  ['protocol', 'protocol'],
  ['client', 'client'],
  ['at', 'at'],
  ['category', 'category'],
] as const;

/** A record as the importer has it (any object) or as the app has it (GrabRecord). */
export type LegacyGrabRecord = z.infer<typeof legacyGrabSchema>;

export function grabToRow(key: string, record: LegacyGrabRecord, position: number): Insertable<GrabsTable> {
  const extra: Record<string, unknown> = {};
  const absent: string[] = [];
  for (const [k, v] of Object.entries(record)) if (!KNOWN.has(k)) setOwn(extra, k, v);

  const parts = splitGrabKey(key);
  const row: Insertable<GrabsTable> = {
    key,
    kind: parts.kind,
    item_id: parts.itemId,
    library_item_id: null,
    title: null,
    link: null,
    protocol: null,
    client: null,
    ok: null,
    status: null,
    at: null,
    category: null,
    nzb_upload: null,
    position,
  };

  if (typeof record.kind === 'string') row.kind = record.kind;
  else if ('kind' in record) extra.kind = record.kind;
  else absent.push('kind');
  if (typeof record.id === 'string') row.item_id = record.id;
  else if ('id' in record) extra.id = record.id;
  else absent.push('id');

  for (const [k, col] of STRING_COLUMNS) {
    const v = record[k];
    if (typeof v === 'string') row[col] = v;
    else if (k in record) extra[k] = v;
  }
  if (typeof record.link === 'string') row.link = record.link;
  else if (!('link' in record)) absent.push('link');
  else if (record.link !== null) extra.link = record.link;

  if (typeof record.ok === 'boolean') row.ok = record.ok;
  else if ('ok' in record) extra.ok = record.ok;
  if ('status' in record && record.status !== undefined) row.status = toJson(record.status);
  if ('nzbUpload' in record && record.nzbUpload !== undefined) row.nzb_upload = toJson(record.nzbUpload);

  if (absent.length > 0) extra[ABSENT_KEY] = absent;
  row.extra = Object.keys(extra).length > 0 ? toJson(extra) : null;
  return row;
}

export type GrabRow = Pick<
  Selectable<GrabsTable>,
  'key' | 'kind' | 'item_id' | 'title' | 'link' | 'protocol' | 'client' | 'ok' | 'status' | 'at' | 'category' | 'nzb_upload' | 'extra'
>;

export function grabFromRow(row: GrabRow): GrabRecord {
  const base: GrabRecord = { kind: row.kind, id: row.item_id };
  if (row.title !== null) base.title = row.title;
  base.link = row.link;
  if (row.protocol !== null) base.protocol = row.protocol;
  if (row.client !== null) base.client = row.client;
  const ok = fromBool(row.ok);
  if (ok !== undefined) base.ok = ok;
  if (row.status !== null) base.status = fromJson(row.status) as GrabRecord['status'];
  if (row.at !== null) base.at = row.at;
  if (row.category !== null) base.category = row.category;
  if (row.nzb_upload !== null) base.nzbUpload = fromJson(row.nzb_upload) as GrabRecord['nzbUpload'];

  const extra = fromJson<Record<string, unknown>>(row.extra) ?? {};
  const absent = Array.isArray(extra[ABSENT_KEY]) ? (extra[ABSENT_KEY] as string[]) : [];
  const out: GrabRecord = {};
  const src = base as Record<string, unknown>;
  const dst = out as Record<string, unknown>;
  for (const k of KEY_ORDER) {
    if (k in extra) dst[k] = extra[k];
    else if (k in src) dst[k] = src[k];
  }
  for (const [k, v] of Object.entries(extra)) if (!KNOWN.has(k) && k !== ABSENT_KEY) setOwn(out, k, v);
  for (const k of absent) delete out[k];
  return out;
}
