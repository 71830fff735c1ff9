/**
 * THE mapping between a legacy `wanted.json` item and its `wanted_items` row (sql store,
 * importer, exporter). `wantedItemFromRow(wantedItemToRow(r))` deep-equals `r` for every record
 * `legacyWantedItemSchema` accepts:
 * - `id` -> `item_id`, `title`, `kind` (free text, verbatim) -> columns;
 * - `addedAt` (a non-empty string) -> `added_at`. The column is NOT NULL, so a record without
 *   `addedAt` stores '' there, and an `addedAt` that does not fit ('' or not a string) is kept
 *   in `metadata`, which wins on the way back;
 * - `lastScan` (anything but null) -> `last_scan` JSON, with `last_search_at` = `lastScan.at`;
 * - every other key (and an explicit `lastScan: null`) -> `metadata`.
 * The row id is derived from (kind, item_id), so the importer, the dual-write phases and a
 * re-import agree on it without coordination. `library_item_id` is left NULL here: the link
 * needs the library table (the sql store sets it; see `linkWantedToLibrary`).
 */
import type { Insertable, Selectable } from 'kysely';
import { z } from 'zod';
import type { WantedItemsTable } from '../db/schema.js';
import { sha256Hex } from '../security/tokens.js';
import type { WantedItem, WantedLastScan } from './wanted.types.js';

export const legacyWantedItemSchema = z.looseObject({
  id: z.string(),
  title: z.string(),
  kind: z.string(),
});

export type WantedRow = Pick<Selectable<WantedItemsTable>, 'item_id' | 'title' | 'kind' | 'added_at' | 'last_scan' | 'metadata'>;
export type WantedInsertRow = Insertable<WantedItemsTable>;

/** The columns to select to rebuild an item. */
export const WANTED_ITEM_COLUMNS = ['item_id', 'title', 'kind', 'added_at', 'last_scan', 'metadata'] as const;

type Secrets = { seal(s: string): string };
type Opener = { open(s: string): string };

/** Row id for (kind, item id): 32 lowercase hex chars, stable across imports and phases. */
export function wantedRowId(kind: string, itemId: string): string {
  return sha256Hex(`${kind}\u0000${itemId}`).slice(0, 32);
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

/** `position` is the item's index in the legacy array (the list order). */
export function wantedItemToRow(record: WantedItem, _secrets?: Secrets, position = 0): WantedInsertRow {
  const row: WantedInsertRow = {
    id: wantedRowId(record.kind, record.id),
    library_item_id: null,
    item_id: record.id,
    title: record.title,
    kind: record.kind,
    last_search_at: null,
    last_scan: null,
    added_at: '',
    position,
    metadata: null,
  };
  const meta: Record<string, unknown> = {};
  let hasMeta = false;
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (key === 'id' || key === 'title' || key === 'kind' || value === undefined) continue;
    if (key === 'addedAt' && typeof value === 'string' && value !== '') {
      row.added_at = value;
    } else if (key === 'lastScan' && value !== null) {
      row.last_scan = JSON.stringify(value);
      const at = (value as { at?: unknown }).at;
      row.last_search_at = typeof value === 'object' && typeof at === 'string' ? at : null;
    } else {
      setOwn(meta, key, value);
      hasMeta = true;
    }
  }
  if (hasMeta) row.metadata = JSON.stringify(meta);
  return row;
}

// Key order: the order MediaOS writes (id, title, kind, addedAt, lastScan), then the rest.
export function wantedItemFromRow(row: WantedRow, _secrets?: Opener): WantedItem {
  const item: WantedItem = { id: row.item_id, title: row.title, kind: row.kind };
  if (row.added_at !== '' && row.added_at !== null) item.addedAt = row.added_at;
  if (row.last_scan !== null) item.lastScan = JSON.parse(row.last_scan) as WantedLastScan;
  if (row.metadata !== null) {
    const meta = JSON.parse(row.metadata) as Record<string, unknown>;
    for (const key of Object.keys(meta)) setOwn(item, key, meta[key]);
  }
  return item;
}
