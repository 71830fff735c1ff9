/** Wanted items in the legacy `wanted.json` (FORMATS.md §3.5), keys and order as legacy writes them. */
import { join } from 'node:path';
import { Invalid } from '../errors.js';
import { createJsonFile, unchanged } from '../legacy/json-file.js';
import type { WantedAutomationFields, WantedBatch, WantedItem, WantedScanUpdate } from './wanted.types.js';

export interface WantedDoc {
  items: unknown[];
  [key: string]: unknown;
}

const isItem = (v: unknown): v is WantedItem =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as WantedItem).id === 'string' && typeof (v as WantedItem).kind === 'string';

export function createWantedJson(opts: { configDir: string; onError?: (err: Error) => void }) {
  const file = createJsonFile<WantedDoc>(join(opts.configDir, 'wanted.json'), {
    defaultValue: () => ({ items: [] }),
    onError: opts.onError,
  });
  const itemsOf = (doc: WantedDoc): unknown[] => {
    if (!Array.isArray(doc.items)) doc.items = [];
    return doc.items;
  };

  return {
    file,

    async list(): Promise<WantedItem[]> {
      const doc = await file.read();
      return structuredClone((Array.isArray(doc.items) ? doc.items : []).filter(isItem));
    },

    /** The cursor is the index in the file's array where the next batch starts. */
    async listBatch(after: string | null, limit: number): Promise<WantedBatch> {
      const doc = await file.read();
      const all = Array.isArray(doc.items) ? doc.items : [];
      const from = after === null ? 0 : Number(after);
      if (!/^\d+$/.test(after ?? '0') || !Number.isSafeInteger(from)) throw new Invalid('cursor: not a cursor of the wanted list');
      const end = Math.min(all.length, from + limit);
      return { items: structuredClone(all.slice(from, end).filter(isItem)), next: end < all.length ? String(end) : null };
    },

    /** Sorted in memory (the file is read whole anyway); the cursor is the index in that order where the next batch starts. */
    async listBySearchAge(after: string | null, limit: number): Promise<WantedBatch> {
      const doc = await file.read();
      const from = after === null ? 0 : Number(after);
      if (!/^\d+$/.test(after ?? '0') || !Number.isSafeInteger(from)) throw new Invalid('cursor: not a cursor of the wanted list by search age');
      const at = (v: WantedItem) => (typeof v.lastScan?.at === 'string' ? v.lastScan.at : '');
      const all = (Array.isArray(doc.items) ? doc.items : []).filter(isItem).sort((a, b) => (at(a) < at(b) ? -1 : at(a) > at(b) ? 1 : 0));
      const end = Math.min(all.length, from + limit);
      return { items: structuredClone(all.slice(from, end)), next: end < all.length ? String(end) : null };
    },

    async count(): Promise<number> {
      const doc = await file.read();
      return Array.isArray(doc.items) ? doc.items.filter(isItem).length : 0;
    },

    async add(item: WantedItem): Promise<boolean> {
      return file.update((doc) => {
        const items = itemsOf(doc);
        if (items.some((v) => isItem(v) && v.kind === item.kind && v.id === item.id)) return unchanged(false);
        items.push({ ...item });
        return true;
      });
    },

    async remove(kind: string, id: string): Promise<boolean> {
      return file.update((doc) => {
        const items = itemsOf(doc);
        const kept = items.filter((v) => !(isItem(v) && v.kind === kind && v.id === id));
        if (kept.length === items.length) return unchanged(false);
        doc.items = kept;
        return true;
      });
    },

    async recordScans(updates: WantedScanUpdate[]): Promise<void> {
      if (updates.length === 0) return;
      const byKey = new Map(updates.map((u) => [`${u.kind}\u0000${u.id}`, u.lastScan]));
      await file.update((doc) => {
        const items = itemsOf(doc);
        let changed = false;
        for (let i = 0; i < items.length; i++) {
          const v = items[i];
          if (!isItem(v)) continue;
          const scan = byKey.get(`${v.kind}\u0000${v.id}`);
          if (scan === undefined) continue;
          items[i] = { ...v, lastScan: scan };
          changed = true;
        }
        return changed ? undefined : unchanged(undefined);
      });
    },

    async get(kind: string, id: string): Promise<WantedItem | undefined> {
      const doc = await file.read();
      const found = (Array.isArray(doc.items) ? doc.items : []).find((v) => isItem(v) && v.kind === kind && v.id === id);
      return found === undefined ? undefined : structuredClone(found as WantedItem);
    },

    async update(kind: string, id: string, fields: WantedAutomationFields): Promise<boolean> {
      return file.update((doc) => {
        const items = itemsOf(doc);
        const i = items.findIndex((v) => isItem(v) && v.kind === kind && v.id === id);
        if (i < 0) return unchanged(false);
        items[i] = { ...(items[i] as WantedItem), ...fields };
        return true;
      });
    },

    /** Nothing to link in a file. */
    async linkToLibrary(): Promise<number> {
      return 0;
    },
  };
}

export type WantedJson = ReturnType<typeof createWantedJson>;
