import { phasedStore } from '../storage/phased-store.js';
import type { StoreContext } from '../storage/store-context.js';
import { createGrabsJson } from './grabs.json.js';
import { createGrabsSql } from './grabs.sql.js';
import type { GrabEntry, GrabOrderCursor, GrabRecord, GrabsPage, GrabTimeCursor } from './grabs.types.js';

/** The last grab per `<kind>:<id>` key (legacy `grabs.json`). */
export interface GrabsStore {
  get(key: string): Promise<GrabRecord | undefined>;
  /** Every record in file order (a replaced key keeps its place; a new key goes last). */
  list(): Promise<GrabEntry[]>;
  /** Insert or replace by key. The record is complete (its `at` comes from the service). */
  put(key: string, record: GrabRecord): Promise<void>;
  count(): Promise<number>;
  /**
   * Up to `limit` records newest first (`at` descending, then key descending; records without
   * an `at` last), after `after` (null: from the newest).
   */
  historyPage(after: GrabTimeCursor | null, limit: number): Promise<GrabsPage<GrabTimeCursor>>;
  /** Up to `limit` records of the queue (`ok === true` or `status === "queued"`) in file order, after `after`. */
  queuePage(after: GrabOrderCursor | null, limit: number): Promise<GrabsPage<GrabOrderCursor>>;
  /** How many records the queue holds. */
  countQueue(): Promise<number>;
  /**
   * The records a download client may still be working on, in file order: sent (`ok === true`)
   * to a `client` under a string `downloadId`, with a `state` other than imported/failed. The
   * download tracker asks this every minute, so the database filters (not every grab row read).
   */
  listInFlight(): Promise<GrabEntry[]>;
}

/** The store's methods of one implementation (the sql one has importer extras the phases do not see). */
const only = (s: GrabsStore): GrabsStore => ({
  get: s.get,
  list: s.list,
  put: s.put,
  count: s.count,
  historyPage: s.historyPage,
  queuePage: s.queuePage,
  countQueue: s.countQueue,
  listInFlight: s.listInFlight,
});

export function createGrabsStore(ctx: StoreContext): GrabsStore {
  const sql = createGrabsSql(ctx.db.kysely, ctx.db.engine);
  const json = createGrabsJson({ configDir: ctx.configDir });
  return phasedStore<GrabsStore>({
    name: 'grabs',
    phase: ctx.phase,
    sql: only(sql),
    json: only(json),
    writes: ['put'],
    fileSync: ctx.fileSync,
    log: ctx.log,
  });
}
