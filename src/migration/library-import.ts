/**
 * library.json -> library_items with bounded memory (1M items: a few batches in memory), in
 * batches of prepared multi-row inserts (PostgreSQL's first import: COPY, see bulkLoad). Duplicates (the same id, or the same kind + title under
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
import { LegacyFileError, type LegacyFileErrorInit } from '../legacy/file-error.js';
import { type LibraryRow, legacyLibraryItemFromRow } from '../library/library.codec.js';
import { SetDigest } from './digest.js';
import { BATCH_ROWS, type ImportSql, LIBRARY_DATA_COLUMNS, LIBRARY_DATA_PG_TYPES } from './import.sql.js';
import { HashedKeySet } from './key-set.js';
import { pointer } from './legacy-files.js';
import { batchRow, LIBRARY_INSERT_COLUMNS, type LibraryBatch, libraryBatches, type RowHashKind } from './library-batches.js';
import type { KindWarning } from './library-kind.js';
import type { QuarantineEntry } from './snapshot.js';

export { createdAtFromId, LibraryCodecError } from './library-batches.js';

const FILE = 'library.json';
/**
 * The bulk load stops keeping the created_at indexes up once more than 1% of the rows (after the
 * first 10,000) came earlier than the row before them: a file in another order. Items whose id
 * holds no time (created_at = the import time) put only the row after them out of order.
 */
const OUT_OF_ORDER_PERCENT = 1;
const ORDER_SAMPLE = 10_000;

export interface LibraryImportResult {
  read: number;
  inserted: number;
  updated: number;
  deleted: number;
  unchanged: number;
  quarantine: QuarantineEntry[];
  /** Items whose kind spelling was normalized, in file order. */
  kindWarnings: KindWarning[];
  /** Digest of the records now in library_items (for the read-back check). */
  digest: SetDigest;
  mode: 'bulk' | 'merge';
}

export interface LibraryImportOptions {
  sql: ImportSql;
  dir: string;
  /** false when library.json is absent or broken: the library becomes empty (the database equals the files). */
  present: boolean;
  /** Items library.json holds (from its syntax check, when it had one), to size the title set once. */
  expected?: number;
  /** Length of its longest item's JSON text (the syntax check's, or an earlier parse's), to size the worker's heap. */
  largest?: number;
  importTime: string;
  onItems?: (items: number, bytes: number, totalBytes: number) => void;
  /** Parse in a worker thread when the compiled worker exists (default true). */
  worker?: boolean;
  /** Collects the items whose kind spelling was normalized. */
  kindWarnings?: KindWarning[];
  /** Called once the whole file was parsed: what the syntax check would have said of it. */
  onEnd?: (end: NonNullable<LibraryBatch['end']>) => void;
}

/**
 * library.json holds an item longer than the parsing worker's heap is sized for (`bytes` long;
 * parserHeap, maxItemChars): the import parses again with a heap sized for it (library-file.ts).
 */
export class ItemTooLargeForParser extends Error {
  constructor(readonly bytes: number) {
    super(`library.json holds an item of ${bytes} bytes, more than the parsing thread's heap was sized for`);
  }
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

/**
 * What the read-back check compares (see digest.ts): column values as written on SQLite, as the
 * database prints them on PostgreSQL (which sums its side itself).
 */
function newDigest(sql: ImportSql): SetDigest {
  return new SetDigest(rowHashKind(sql));
}

function rowHashKind(sql: ImportSql): RowHashKind {
  return sql.engine === 'sqlite' ? 'rows' : 'pg-rows';
}

/** Adds a row's data columns `values[at ..]` (created_at is left out: a merge keeps an item's own). */
function addRowValues(digest: SetDigest, values: ArrayLike<unknown>, at: number, sign: 1 | -1 = 1): void {
  if (digest.of === 'rows') digest.addRow(values, at, LIBRARY_DATA_COLUMNS.length, sign);
  else digest.addPgRow(values, at, LIBRARY_DATA_PG_TYPES, sign);
}

/** Adds row `i` of a batch (created_at is its last insert column), by the hash the parser took when it did. */
function addBatchRow(digest: SetDigest, b: LibraryBatch, i: number): void {
  if (b.hashes) digest.addRowHash(b.hashes[i]!);
  else addRowValues(digest, b.params, i * LIBRARY_INSERT_COLUMNS.length);
}

const WORKER_URL = new URL('./library-batches.worker.js', import.meta.url);

/**
 * The parsing worker's heap: small, as it holds one read chunk and a couple of batches (RSS budget:
 * a 2 GB NAS). 16 MB of young generation: nearly all of the parse's garbage (each item's text, value
 * and rebuilt record) dies young, and fewer scavenges cost less. Measured through the CLI at 1M
 * (which needs import-memory.ts favorSmallHeap to put V8's semi-space default back, or no limit
 * here counts): ~2 MB (what the CLI's small-heap flag had left) 7,305 scavenges; 16 MB 790 and peak
 * RSS 256 MB (with the check worker at 8 MB); 24 MB 795 and 279 MB; 48 MB 388 and 309 MB.
 * The old generation is capped at 64 MB, which makes V8 collect it early: with 256 MB it grew
 * lazily and peak RSS at 1M items varied from 237 to 299 MB between runs, against 239-245 MB with
 * 64, at the same speed. A library.json with a huge item (its longest from the syntax check, or
 * from a parse that met it: maxItemChars) gets room for ~8 copies of it (text, value, row,
 * rebuilt record...).
 */
export function parserHeap(largest = 0): { maxYoungGenerationSizeMb: number; maxOldGenerationSizeMb: number } {
  const itemMb = (largest * 2) / 2 ** 20; // UTF-16 code units: at most 2 bytes each in the heap
  return { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: Math.min(PARSER_HEAP_CAP_MB, Math.max(64, Math.ceil(48 + 8 * itemMb))) };
}

const PARSER_HEAP_CAP_MB = 4096;

/**
 * The longest item (UTF-16 code units, which its UTF-8 bytes are at least) a parser heap of
 * `heapMb` old generation has room for (parserHeap's inverse); unbounded at the cap, where a
 * larger heap is not to be had. A worker meets a longer item before it decodes it, and says so.
 */
export function maxItemChars(heapMb: number): number {
  return heapMb >= PARSER_HEAP_CAP_MB ? Number.POSITIVE_INFINITY : Math.floor((((heapMb - 48) / 8) * 2 ** 20) / 2);
}

/** Batches from a worker thread (compiled build) or from this thread (sources under tsx/vitest). */
async function* batchSource(opts: LibraryImportOptions): AsyncGenerator<LibraryBatch> {
  // The read-back digest's hash of each row: taken by the parser in this thread; with a worker, by
  // whichever thread has time for it: the worker while this thread has batches waiting (the SQL
  // writes are behind), this thread (addBatchRow) when it had to wait for a batch.
  const hashRows = rowHashKind(opts.sql);
  if (opts.worker === false || !existsSync(fileURLToPath(WORKER_URL))) {
    yield* libraryBatches(opts.dir, opts.importTime, { kind: hashRows, on: true });
    return;
  }
  const heap = parserHeap(opts.largest);
  const worker = new Worker(WORKER_URL, { resourceLimits: heap });
  const queue: ({ batch: LibraryBatch } | { done: true } | { error: string } | { fileError: LegacyFileErrorInit } | { tooLarge: number })[] = [];
  let wake: (() => void) | undefined;
  const push = (m: (typeof queue)[number]) => {
    queue.push(m);
    wake?.();
    wake = undefined;
  };
  worker.on('message', push);
  worker.on('error', (err) => push({ error: err.message }));
  worker.on('exit', (code) => push({ error: `the parsing of library.json stopped unexpectedly (worker exit ${code})` }));
  const maxItemBytes = maxItemChars(heap.maxOldGenerationSizeMb); // Infinity at the cap: no bound
  worker.postMessage({ start: { dir: opts.dir, importTime: opts.importTime, credits: 2, hashRows, maxItemBytes } });
  try {
    for (;;) {
      const waited = queue.length === 0;
      while (queue.length === 0) await new Promise<void>((r) => (wake = r));
      const m = queue.shift()!;
      if ('fileError' in m) throw new LegacyFileError(m.fileError);
      if ('tooLarge' in m) throw new ItemTooLargeForParser(m.tooLarge);
      if ('error' in m) throw new Error(m.error);
      if ('done' in m) return;
      worker.postMessage({ credit: 1, hash: !waited });
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
    opts.kindWarnings?.push(...b.kindWarnings);
    if (b.pos.length > 0) await fn(b);
    read = b.read;
    opts.onItems?.(b.read, b.bytes, b.total);
    if (b.end) opts.onEnd?.(b.end);
  }
  return read;
}

export async function importLibrary(opts: LibraryImportOptions): Promise<LibraryImportResult> {
  const existing = await opts.sql.countRows('library_items');
  const kindWarnings: KindWarning[] = [];
  const withWarnings = { ...opts, kindWarnings };
  const result = { ...(existing === 0 ? await bulkLoad(withWarnings) : await merge(withWarnings)), kindWarnings };
  result.quarantine.sort((a, b) => Number(a.locator.slice(7)) - Number(b.locator.slice(7)));
  return result;
}

/**
 * First import into an empty library_items. Titles are checked here, not by the unique title index
 * (set aside with the others: inserting a million random titles into it cost more than the rest of
 * the load): a row whose kind + title may already be taken is set aside in the stage table with the
 * last seq written before it, and checked against the database once the indexes are back. If one
 * turns out to take nothing (a hash collision, or the row that took its title was itself refused
 * for its id) the load is undone and the merge below does the whole file instead: rare, slower,
 * same result.
 */
async function bulkLoad(opts: LibraryImportOptions): Promise<Omit<LibraryImportResult, 'kindWarnings'>> {
  const { sql } = opts;
  const quarantine: QuarantineEntry[] = [];
  const digest = newDigest(sql);
  let inserted = 0;
  let read = 0;
  if (!opts.present) return { read, inserted, updated: 0, deleted: 0, unchanged: 0, quarantine, digest, mode: 'bulk' };
  const savepoint = await sql.savepoint('library_bulk');
  const indexes = await sql.suspendLibraryIndexes();
  const restoreTempStore = await sql.tempStoreWhile('MEMORY');
  const width = LIBRARY_INSERT_COLUMNS.length;
  const titles = new HashedKeySet(Math.max(opts.expected ?? 0, 1 << 16));
  // PostgreSQL loads with COPY, which cannot skip a conflicting row: the ids written so far (or
  // sharing their hash) tell which rows might conflict; those go in with INSERT ... ON CONFLICT.
  const ids = sql.canCopyLibrary ? new HashedKeySet(Math.max(opts.expected ?? 0, 1 << 16)) : undefined;
  let before = await sql.maxLibrarySeq();
  let suspects = 0;
  // the created_at order of the rows so far (see suspendLibraryIndexes and OUT_OF_ORDER_PERCENT)
  let inOrder = true;
  let outOfOrder = 0;
  let seen = 0;
  let lastCreated = '';

  /** Inserts rows `rows` of batch `b` (indexes into it, in file order). */
  const insertRows = async (b: LibraryBatch, rows: number[]) => {
    if (rows.length === 0) return;
    const params: unknown[] = [];
    for (const i of rows) for (let k = 0; k < width; k++) params.push(b.params[i * width + k]);
    // COPY (PostgreSQL) when no row can conflict: every id is new, like every title in a run
    let copy = ids !== undefined;
    if (ids) for (const i of rows) if (!ids.add(String(b.params[i * width]))) copy = false;
    const count = copy ? await sql.copyLibraryParams(params, rows.length) : await sql.insertLibraryParams(params, rows.length);
    if (count === rows.length) {
      for (const i of rows) addBatchRow(digest, b, i);
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
    for (const i of rows) {
      const k = `${b.params[i * width]}\u0000${b.params[i * width + 1]}\u0000${b.params[i * width + 3]}`;
      const n = taken.get(k) ?? 0;
      if (n > 0) {
        taken.set(k, n - 1);
        addBatchRow(digest, b, i);
        inserted++;
        continue;
      }
      const row = batchRow(b, i) as Row;
      const conflict = await sql.libraryHolder(row);
      quarantine.push(
        entry(
          b.pos[i]!,
          legacyLibraryItemFromRow(row as unknown as LibraryRow),
          conflict ? duplicateReason(conflict.by, conflict.id) : 'rejected by the database',
        ),
      );
    }
  };

  /** One batch in file order: rows with a new title go in; a possible repeat waits in the stage. */
  const loadBatch = async (b: LibraryBatch) => {
    if (inOrder) {
      for (let i = 0; i < b.pos.length; i++) {
        const created = b.params[i * width + width - 1] as string;
        if (created < lastCreated) outOfOrder++;
        lastCreated = created;
      }
      seen += b.pos.length;
      if (seen >= ORDER_SAMPLE && outOfOrder * 100 > seen * OUT_OF_ORDER_PERCENT) {
        inOrder = false;
        await indexes.setAsideRest();
      }
    }
    let run: number[] = [];
    const aside: Record<string, unknown>[] = [];
    for (let i = 0; i < b.pos.length; i++) {
      if (titles.add(`${b.params[i * width + 1]}\u0000${b.params[i * width + 3]}`)) {
        run.push(i);
        continue;
      }
      await insertRows(b, run); // what comes before it in file order is written first
      run = [];
      if (suspects === 0) await sql.createStage();
      suspects++;
      aside.push({ pos: b.pos[i], ...batchRow(b, i), bound: before });
    }
    await insertRows(b, run);
    if (aside.length > 0) await sql.insertStageSuspects(aside);
  };

  try {
    read = await eachBatch(opts, quarantine, loadBatch);
  } finally {
    // index rebuilds sort under the connection's own setting again (after an error too: the import
    // may go on, library.json kept whole, see library-file.ts)
    await restoreTempStore();
  }
  await indexes.restore();

  if (suspects > 0) {
    for (let after = -1; ; ) {
      const page = await sql.stagePage(after, BATCH_ROWS);
      if (page.length === 0) break;
      for (const s of page) {
        const holder = await sql.libraryHolder(s as Row, Number(s.bound));
        if (!holder) {
          // it takes nothing after all: let the merge decide the whole file
          await savepoint.rollback();
          return merge(opts);
        }
        quarantine.push(entry(Number(s.pos), legacyLibraryItemFromRow(s as unknown as LibraryRow), duplicateReason(holder.by, holder.id)));
      }
      after = Number(page[page.length - 1]!.pos);
    }
    await sql.dropStage();
  }
  await savepoint.release();
  return { read, inserted, updated: 0, deleted: 0, unchanged: 0, quarantine, digest, mode: 'bulk' };
}

async function merge(opts: LibraryImportOptions): Promise<Omit<LibraryImportResult, 'kindWarnings'>> {
  const { sql } = opts;
  const quarantine: QuarantineEntry[] = [];
  const digest = newDigest(sql);
  await sql.createStage();
  const read = opts.present
    ? await eachBatch(opts, quarantine, async (b) => {
        const rows: Record<string, unknown>[] = [];
        for (let i = 0; i < b.pos.length; i++) {
          addBatchRow(digest, b, i);
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
    const record = legacyLibraryItemFromRow(s as unknown as LibraryRow);
    addRowValues(
      digest,
      LIBRARY_DATA_COLUMNS.map((c) => s[c] ?? null),
      0,
      -1,
    );
    quarantine.push(entry(Number(r.pos), record, takenIds.has(r.id) ? duplicateReason('id', r.id) : duplicateReason('title', firstByTitle!)));
    rejected.push(Number(r.pos));
  }
  await sql.deleteStagePositions(rejected);
  const staged = await sql.stageCount();
  const merged = await sql.mergeStage();
  await sql.dropStage();
  return { read, ...merged, unchanged: staged - merged.updated - merged.inserted, quarantine, digest, mode: 'merge' };
}
