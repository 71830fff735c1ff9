/**
 * library.json -> library_items with bounded memory (1M items: a few batches in memory), in
 * batches of prepared multi-row inserts. Duplicates (the same id, or the same kind + title under
 * JavaScript toLowerCase, what legacy compared with) are quarantined; the first item in file order
 * wins, in both modes:
 * - Empty table (first import): bulk load. Secondary indexes and the full-text triggers are set
 *   aside inside the transaction, rows go straight in (conflicts skipped by the unique
 *   constraints and quarantined), then the indexes are rebuilt in one pass each.
 * - Otherwise (re-import, changed directory): items go into a staging table; one set-based merge
 *   deletes, updates and inserts, so items that stay keep their seq and created_at, and two items
 *   may even swap titles.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { libraryItemFromRow, type LibraryRow } from '../library/library.codec.js';
import { pointer } from './legacy-files.js';
import type { QuarantineEntry } from './snapshot.js';
import type { ImportSql } from './import.sql.js';
import { SetDigest } from './digest.js';
import { batchRow, libraryBatches, LIBRARY_INSERT_COLUMNS, type LibraryBatch } from './library-batches.js';

export { createdAtFromId, LibraryCodecError } from './library-batches.js';

const FILE = 'library.json';

export interface LibraryImportResult {
  read: number;
  inserted: number;
  updated: number;
  deleted: number;
  unchanged: number;
  quarantine: QuarantineEntry[];
  /** Digest of the records now in library_items (for the read-back check). */
  digest: SetDigest;
  mode: 'bulk' | 'merge';
}

export interface LibraryImportOptions {
  sql: ImportSql;
  dir: string;
  /** false when library.json is absent or broken: the library becomes empty (the database equals the files). */
  present: boolean;
  importTime: string;
  onItems?: (items: number, bytes: number, totalBytes: number) => void;
  /** Parse in a worker thread when the compiled worker exists (default true). */
  worker?: boolean;
}

type Row = Record<string, unknown> & { id: string; kind: string; title_lower: string };

function entry(index: number, raw: unknown, reason: string): QuarantineEntry {
  return { file: FILE, locator: pointer('items', index), reason, raw: JSON.stringify(raw) ?? 'null', encoding: 'json' };
}

/** The same words in both modes, so a re-import finds the quarantine unchanged. */
export function duplicateReason(by: 'id' | 'title', firstId: string): string {
  return by === 'id'
    ? `duplicate id: an earlier item has the id "${firstId}"`
    : `duplicate title: the earlier item "${firstId}" has the same kind and title (ignoring case, as legacy compared)`;
}

const WORKER_URL = new URL('./library-batches.worker.js', import.meta.url);

/** Batches from a worker thread (compiled build) or from this thread (sources under tsx/vitest). */
async function* batchSource(opts: LibraryImportOptions): AsyncGenerator<LibraryBatch> {
  if (opts.worker === false || !existsSync(fileURLToPath(WORKER_URL))) {
    yield* libraryBatches(opts.dir, opts.importTime);
    return;
  }
  // A small heap: the worker holds one read chunk and a couple of batches (RSS budget: a 2 GB NAS).
  const worker = new Worker(WORKER_URL, { resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 256 } });
  const queue: ({ batch: LibraryBatch } | { done: true } | { error: string })[] = [];
  let wake: (() => void) | undefined;
  const push = (m: (typeof queue)[number]) => {
    queue.push(m);
    wake?.();
    wake = undefined;
  };
  worker.on('message', push);
  worker.on('error', (err) => push({ error: err.message }));
  worker.postMessage({ start: { dir: opts.dir, importTime: opts.importTime, credits: 2 } });
  try {
    for (;;) {
      while (queue.length === 0) await new Promise<void>((r) => (wake = r));
      const m = queue.shift()!;
      if ('error' in m) throw new Error(m.error);
      if ('done' in m) return;
      worker.postMessage({ credit: 1 });
      yield m.batch;
    }
  } finally {
    await worker.terminate();
  }
}

async function eachBatch(opts: LibraryImportOptions, quarantine: QuarantineEntry[], fn: (b: LibraryBatch) => Promise<void>): Promise<number> {
  let read = 0;
  for await (const b of batchSource(opts)) {
    quarantine.push(...b.quarantine);
    if (b.pos.length > 0) await fn(b);
    read = b.read;
    opts.onItems?.(b.read, b.bytes, b.total);
  }
  return read;
}

export async function importLibrary(opts: LibraryImportOptions): Promise<LibraryImportResult> {
  const existing = await opts.sql.countRows('library_items');
  const result = existing === 0 ? await bulkLoad(opts) : await merge(opts);
  result.quarantine.sort((a, b) => Number(a.locator.slice(7)) - Number(b.locator.slice(7)));
  return result;
}

async function bulkLoad(opts: LibraryImportOptions): Promise<LibraryImportResult> {
  const { sql } = opts;
  const quarantine: QuarantineEntry[] = [];
  const digest = new SetDigest();
  let inserted = 0;
  let read = 0;
  if (opts.present) {
    const restore = await sql.suspendLibraryIndexes();
    const width = LIBRARY_INSERT_COLUMNS.length;
    let before = await sql.maxLibrarySeq();
    read = await eachBatch(opts, quarantine, async (b) => {
      const count = await sql.insertLibraryParams(b.params, b.pos.length);
      if (count === b.pos.length) {
        // the common case: every row went in
        for (let i = 0; i < b.pos.length; i++) digest.addWords(b.hashes, i * 5);
        inserted += count;
        before = await sql.maxLibrarySeq();
        return;
      }
      const done = await sql.libraryKeysAfter(before);
      before = await sql.maxLibrarySeq();
      const taken = new Map<string, number>();
      for (const d of done) {
        const k = `${d.id}\u0000${d.kind}\u0000${d.title_lower}`;
        taken.set(k, (taken.get(k) ?? 0) + 1);
      }
      for (let i = 0; i < b.pos.length; i++) {
        const k = `${b.params[i * width]}\u0000${b.params[i * width + 1]}\u0000${b.params[i * width + 3]}`;
        const n = taken.get(k) ?? 0;
        if (n > 0) {
          taken.set(k, n - 1);
          digest.addWords(b.hashes, i * 5);
          inserted++;
          continue;
        }
        const row = batchRow(b, i) as Row;
        const conflict = await sql.libraryConflict(row);
        quarantine.push(entry(b.pos[i]!, libraryItemFromRow(row as unknown as LibraryRow), conflict ? duplicateReason(conflict.by, conflict.id) : 'rejected by the database'));
      }
    });
    await restore();
  }
  return { read, inserted, updated: 0, deleted: 0, unchanged: 0, quarantine, digest, mode: 'bulk' };
}

async function merge(opts: LibraryImportOptions): Promise<LibraryImportResult> {
  const { sql } = opts;
  const quarantine: QuarantineEntry[] = [];
  const digest = new SetDigest();
  await sql.createStage();
  const read = opts.present
    ? await eachBatch(opts, quarantine, async (b) => {
        const rows: Record<string, unknown>[] = [];
        for (let i = 0; i < b.pos.length; i++) {
          digest.addWords(b.hashes, i * 5);
          rows.push({ pos: b.pos[i], ...batchRow(b, i) });
        }
        await sql.insertStage(rows);
      })
    : 0;
  await sql.indexStage();
  // Only items sharing an id or a title with another item can lose; decide those in file order.
  const takenIds = new Set<string>();
  const takenTitles = new Map<string, string>();
  const rejected: number[] = [];
  for (const s of await sql.stageSuspects()) {
    const r = s as Row;
    const titleKey = `${r.kind}\u0000${r.title_lower}`;
    const firstByTitle = takenTitles.get(titleKey);
    if (!takenIds.has(r.id) && firstByTitle === undefined) {
      takenIds.add(r.id);
      takenTitles.set(titleKey, r.id);
      continue;
    }
    const record = libraryItemFromRow(s as unknown as LibraryRow);
    digest.add(record, -1);
    quarantine.push(entry(Number(r.pos), record, takenIds.has(r.id) ? duplicateReason('id', r.id) : duplicateReason('title', firstByTitle!)));
    rejected.push(Number(r.pos));
  }
  await sql.deleteStagePositions(rejected);
  const staged = await sql.stageCount();
  const merged = await sql.mergeStage();
  await sql.dropStage();
  return { read, ...merged, unchanged: staged - merged.updated - merged.inserted, quarantine, digest, mode: 'merge' };
}
