import { z } from 'zod';

/** `lastScan` as /api/wanted/scan writes it (FORMATS.md §3.5). */
export interface WantedLastScan {
  at: string;
  found: number;
  grabbed: number;
  [key: string]: unknown;
}

/**
 * One `wanted.json` item (FORMATS.md §3.5). `id` is normally a library item id (not checked);
 * `kind` is whatever the client sent (often plural: `movies`), kept verbatim.
 */
export interface WantedItem {
  id: string;
  title: string;
  kind: string;
  addedAt?: string;
  lastScan?: WantedLastScan;
  [key: string]: unknown;
}

/** One item's new `lastScan` (the wanted store's recordScans). */
export interface WantedScanUpdate {
  kind: string;
  id: string;
  lastScan: WantedLastScan;
}

/** `<kind>:<id>`, the composite key legacy files and responses use. */
export function wantedKey(item: { kind: string; id: string }): string {
  return `${item.kind}:${item.id}`;
}

const requiredText = (name: string) =>
  z.preprocess((v) => (typeof v === 'string' ? v.trim() : v === undefined || v === null ? '' : String(v).trim()), z.string()).refine((v) => v !== '', {
    message: `${name} is required`,
  });

/** POST /api/wanted: all three required after trim (legacy answers `missing_params`). */
export const addWantedBody = z.object({
  id: requiredText('id'),
  title: requiredText('title'),
  kind: requiredText('kind'),
});

export const scanWantedBody = z.object({ enqueue: z.boolean().optional() }).optional();

/** One batch of the wanted list (WantedStore.listBatch). */
export interface WantedBatch {
  items: WantedItem[];
  next: string | null;
}
