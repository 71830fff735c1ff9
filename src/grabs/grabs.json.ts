import { join } from 'node:path';
import { isObject } from '../db/json.js';
import { createJsonFile } from '../legacy/json-file.js';
import type { GrabEntry, GrabRecord } from './grabs.types.js';

type Doc = Record<string, GrabRecord>;

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

    async count(): Promise<number> {
      const doc = await file.read();
      return isObject(doc) ? Object.values(doc).filter(isObject).length : 0;
    },
  };
}

export type GrabsJson = ReturnType<typeof createGrabsJson>;
