import { join } from 'node:path';
import { isObject } from '../db/json.js';
import { createJsonFile } from '../legacy/json-file.js';
import { type GrabEntry, type GrabOrderCursor, type GrabRecord, type GrabsPage, type GrabTimeCursor, isInFlight } from './grabs.types.js';

type Doc = Record<string, GrabRecord>;

const timeOf = (r: GrabRecord): string | null => (typeof r.at === 'string' ? r.at : null);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** The history order of the sql store: `at` descending (records without one last), then key descending. */
function newestFirst(a: { key: string; at: string | null }, b: { key: string; at: string | null }): number {
  if (a.at !== b.at) return a.at === null ? 1 : b.at === null ? -1 : cmp(b.at, a.at);
  return cmp(b.key, a.key);
}

function pageOf<C>(rows: GrabEntry[], limit: number, cursorOf: (e: GrabEntry) => C): GrabsPage<C> {
  const entries = rows.slice(0, limit).map((e) => ({ key: e.key, record: structuredClone(e.record) }));
  const last = entries[entries.length - 1];
  return { entries, next: rows.length > limit && last ? cursorOf(last) : null };
}

/** In the activity queue (legacy filter). */
const inQueue = (r: GrabRecord) => r.ok === true || r.status === 'queued';

/** `grabs.json` (FORMATS.md §3.8): an object keyed `<kind>:<id>`, the last grab per key. */
export function createGrabsJson(opts: { configDir: string }) {
  const file = createJsonFile<Doc>(join(opts.configDir, 'grabs.json'), { defaultValue: () => ({}) });

  async function list(): Promise<GrabEntry[]> {
    const doc = await file.read();
    if (!isObject(doc)) return [];
    return Object.entries(doc)
      .filter(([, r]) => isObject(r))
      .map(([key, record]) => ({ key, record: { ...record } })); // shallow: callers never mutate
  }

  return {
    list,

    async get(key: string): Promise<GrabRecord | undefined> {
      const doc = await file.read();
      if (!isObject(doc) || !Object.hasOwn(doc, key)) return undefined;
      const r = doc[key];
      return isObject(r) ? structuredClone(r) : undefined;
    },

    async put(key: string, record: GrabRecord): Promise<void> {
      const copy = structuredClone(record);
      const current = await file.read();
      if (!isObject(current)) return file.replace({ [key]: copy });
      await file.update((draft) => {
        draft[key] = copy;
      });
    },

    /** The file is read whole anyway: sorted in memory, the same keyset as the sql store. */
    async historyPage(after: GrabTimeCursor | null, limit: number): Promise<GrabsPage<GrabTimeCursor>> {
      const all = (await list()).map((e) => ({ ...e, at: timeOf(e.record) })).sort(newestFirst);
      const rest = after === null ? all : all.filter((e) => newestFirst(e, after) > 0);
      return pageOf(rest.slice(0, limit + 1), limit, (e) => ({ at: timeOf(e.record), key: e.key }));
    },

    /** The position of a record is its place in the file's object (keys are never removed). */
    async queuePage(after: GrabOrderCursor | null, limit: number): Promise<GrabsPage<GrabOrderCursor>> {
      const all = (await list()).map((e, position) => ({ ...e, position }));
      const rest = all.filter((e) => inQueue(e.record) && (after === null || e.position > after.position));
      const positions = new Map(rest.map((e) => [e.key, e.position]));
      return pageOf(rest.slice(0, limit + 1), limit, (e) => ({ position: positions.get(e.key) ?? 0, key: e.key }));
    },

    async countQueue(): Promise<number> {
      return (await list()).filter((e) => inQueue(e.record)).length;
    },

    async listInFlight(): Promise<GrabEntry[]> {
      return (await list()).filter((e) => isInFlight(e.record));
    },

    async count(): Promise<number> {
      const doc = await file.read();
      return isObject(doc) ? Object.values(doc).filter(isObject).length : 0;
    },
  };
}

export type GrabsJson = ReturnType<typeof createGrabsJson>;
