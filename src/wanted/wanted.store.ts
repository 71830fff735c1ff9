import { phasedStore } from '../storage/phased-store.js';
import type { StoreContext } from '../storage/store-context.js';
import { createWantedJson } from './wanted.json.js';
import { createWantedSql } from './wanted.sql.js';
import type { WantedAutomationFields, WantedBatch, WantedItem, WantedScanUpdate } from './wanted.types.js';

export type { WantedScanUpdate } from './wanted.types.js';

/** What services see of the wanted list, whatever the storage phase (writes are deterministic). */
export interface WantedStore {
  /** Legacy array order. */
  list(): Promise<WantedItem[]>;
  /**
   * Up to `limit` items of the list after `after` (an opaque cursor from the previous batch;
   * null = from the start), in list order, and the cursor of the next batch (null at the end).
   */
  listBatch(after: string | null, limit: number): Promise<WantedBatch>;
  /**
   * Up to `limit` items, least recently searched first (`lastScan.at` ascending, never searched
   * first), after `after` (the cursor of the previous batch; null = from the start), and the
   * cursor of the next batch (null at the end). The missing-items sweep reads this way.
   */
  listBySearchAge(after: string | null, limit: number): Promise<WantedBatch>;
  /** How many items the list holds. */
  count(): Promise<number>;
  /** false when (kind, id) is already wanted. */
  add(item: WantedItem): Promise<boolean>;
  /** false when absent. */
  remove(kind: string, id: string): Promise<boolean>;
  recordScans(updates: WantedScanUpdate[]): Promise<void>;
  /** One item, or undefined. */
  get(kind: string, id: string): Promise<WantedItem | undefined>;
  /** Merges automation fields into an item (false when absent); other keys unchanged. */
  update(kind: string, id: string, fields: WantedAutomationFields): Promise<boolean>;
  /** Links wanted rows to existing library items (importer; no-op for files). */
  linkToLibrary(): Promise<number>;
}

export const WANTED_WRITES = ['add', 'remove', 'recordScans', 'update', 'linkToLibrary'] as const;

export function createWantedStore(ctx: StoreContext): WantedStore {
  const sql: WantedStore = createWantedSql(ctx.db.kysely, ctx.db.engine);
  const json: WantedStore = createWantedJson({ configDir: ctx.configDir });
  return phasedStore<WantedStore>({ name: 'wanted', phase: ctx.phase, sql, json, writes: WANTED_WRITES, fileSync: ctx.fileSync, log: ctx.log });
}
