import { phasedStore } from '../storage/phased-store.js';
import type { StoreContext } from '../storage/store-context.js';
import { createGrabsJson } from './grabs.json.js';
import { createGrabsSql } from './grabs.sql.js';
import type { GrabEntry, GrabRecord } from './grabs.types.js';

/** The last grab per `<kind>:<id>` key (legacy `grabs.json`). */
export interface GrabsStore {
  get(key: string): Promise<GrabRecord | undefined>;
  /** Every record in file order (a replaced key keeps its place; a new key goes last). */
  list(): Promise<GrabEntry[]>;
  /** Insert or replace by key. The record is complete (its `at` comes from the service). */
  put(key: string, record: GrabRecord): Promise<void>;
  count(): Promise<number>;
}

export function createGrabsStore(ctx: StoreContext): GrabsStore {
  const sql = createGrabsSql(ctx.db.kysely);
  const json = createGrabsJson({ configDir: ctx.configDir });
  return phasedStore<GrabsStore>({
    name: 'grabs',
    phase: ctx.phase,
    sql: { get: sql.get, list: sql.list, put: sql.put, count: sql.count },
    json: { get: json.get, list: json.list, put: json.put, count: json.count },
    writes: ['put'],
    fileSync: ctx.fileSync,
    log: ctx.log,
  });
}
