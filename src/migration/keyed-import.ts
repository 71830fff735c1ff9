/**
 * A keyed file read record by record (keyed-stream.ts) made equal to its table in batches, with
 * the counts the whole-file path (import.ts syncTarget) gives: a new key is inserted, a changed
 * record rewritten, an equal one left alone, a key no longer in the file deleted. The same pass
 * decides every record (accepted or quarantined) and sums the digest of the rows (keyed-digest.ts),
 * so the import reads the file once to write it, and a second time to check it only when the
 * table's digest differs. Memory: two batches (one written while the next is read) and the
 * quarantined records, plus the set of the file's keys when the table already held rows (to find
 * the gone ones).
 */
import { jsonEqual } from './compare.js';
import { BATCH_ROWS, type ImportSql } from './import.sql.js';
import type { Row } from './import-batch.sql.js';
import { addKeyedRow, type KeyedDigest, keyedColumns, keyedDigest } from './keyed-digest.js';
import { type KeyedDecision, keyedDecisions, NeedsWholeFile } from './keyed-stream.js';
import type { LegacyFileSpec, Opener, Sealer } from './legacy-files.js';
import type { QuarantineEntry } from './record-check.js';
import { type FileSnapshot, readWholeFileSnapshot } from './snapshot.js';

export interface KeyedCounts {
  inserted: number;
  updated: number;
  deleted: number;
  unchanged: number;
}

/** What the pass decided: the file's records read, accepted and quarantined, and the table's changes. */
export interface KeyedImport {
  counts: KeyedCounts;
  read: number;
  accepted: number;
  quarantine: QuarantineEntry[];
  /** The rows of the accepted records (keyed-digest.ts); absent when the database cannot sum the table. */
  digest?: KeyedDigest;
}

/** The accepted records of a keyed file, BATCH_ROWS at a time (`quarantined`: see keyedDecisions). */
export async function* acceptedBatches(spec: LegacyFileSpec, dir: string, quarantined?: ReadonlySet<string>): AsyncGenerator<KeyedDecision[]> {
  let batch: KeyedDecision[] = [];
  for await (const d of keyedDecisions(spec, dir, quarantined)) {
    if (d.quarantine) continue;
    batch.push(d);
    if (batch.length >= BATCH_ROWS) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** A batch's rows, and the look-up of the library items they name when it was started ahead. */
interface Prepared {
  rows: Row[];
  libraryIds: Promise<Set<string>> | undefined;
}

/**
 * Decides and writes every record of the file in one pass. Throws NeedsWholeFile (keyed-stream.ts)
 * for a file the record-by-record reader leaves to the whole-file one: the caller undoes what this
 * pass wrote (a savepoint) and imports the file whole.
 *
 * `overlap`: one batch is written while the next is read, decided and prepared. The default on
 * PostgreSQL, whose server writes in its own process (1M items: the after-library phase 26.2 ->
 * 23.2 s). SQLite writes on this thread, so there is nothing to overlap: its batches go one after
 * the other, one alive at a time under the import's small heap.
 */
export async function importKeyed(
  sql: ImportSql,
  spec: LegacyFileSpec,
  dir: string,
  box: Sealer & Opener,
  signal?: AbortSignal,
  overlap = sql.engine !== 'sqlite',
): Promise<KeyedImport> {
  const target = spec.target;
  const done: KeyedImport = { counts: { inserted: 0, updated: 0, deleted: 0, unchanged: 0 }, read: 0, accepted: 0, quarantine: [] };
  const counts = done.counts;
  const columns = keyedColumns(target);
  const digest = await keyedDigest(sql, target);
  const empty = (await sql.countRows(target.table)) === 0;
  const libraryEmpty = !(await sql.hasRows('library_items'));
  const inFile = empty ? undefined : new Set<string>();
  /**
   * A batch's rows and their digest: work of this thread, done while the previous batch is written
   * (with `overlap`, also the look-up of the library items they name, queued behind that write).
   */
  const prepare = (batch: KeyedDecision[]): Prepared => {
    const rows = batch.map((d) => {
      const row = target.toRow(d.ref, d.raw, box);
      if (digest) addKeyedRow(digest, target, row, d.raw, box);
      return row;
    });
    const libraryIds = overlap && !libraryEmpty ? sql.libraryIdsOf(target.table, rows) : undefined;
    libraryIds?.catch(() => {}); // awaited by the batch's write, or by the end of a failed pass
    return { rows, libraryIds };
  };
  /** Writes a prepared batch: a new key inserted, a changed record rewritten, an equal one left alone. */
  const writeBatch = async (batch: KeyedDecision[], { rows: prepared, libraryIds }: Prepared): Promise<void> => {
    signal?.throwIfAborted(); // the import failed elsewhere: no more writes for a transaction about to roll back
    const existing = new Map<string, unknown>();
    if (inFile) {
      const keys = batch.map((d) => d.key!);
      for (const k of keys) inFile.add(k);
      for (const row of await sql.selectRowsByKeys(target.table, columns, target.keyColumn, keys))
        existing.set(String(row[target.keyColumn]), target.fromRow(row, box).record);
    }
    const rows: Row[] = [];
    const replaced: string[] = [];
    batch.forEach((d, i) => {
      if (!existing.has(d.key!)) counts.inserted++;
      else if (jsonEqual(d.raw, existing.get(d.key!))) {
        counts.unchanged++;
        return;
      } else {
        counts.updated++;
        replaced.push(d.key!);
      }
      rows.push(prepared[i]!);
    });
    await sql.deleteKeys(target.table, target.keyColumn, replaced);
    await sql.insertRows(target.table, rows, { libraryEmpty, ...(libraryIds ? { libraryIds } : {}) });
  };
  let writing: Promise<void> | undefined;
  let looking: Promise<unknown> | undefined;
  const write = async (batch: KeyedDecision[]): Promise<void> => {
    const prepared = prepare(batch);
    looking = prepared.libraryIds;
    if (!overlap) {
      await writeBatch(batch, prepared);
      // A turn of the event loop between batches: the next one's records are mostly in memory
      // already, so without it the archive the read phase writes meanwhile (its reads, gzip and
      // writes each wait for this thread) moved only when the file needed a read (1M items: this
      // thread idle 1.6-1.9 s of that phase's 6.0-7.2 s, 0.9-1.2 s with it).
      return new Promise<void>((resolve) => setImmediate(resolve));
    }
    await writing;
    writing = writeBatch(batch, prepared);
    writing.catch(() => {}); // awaited before the next batch or at the end; its error is thrown there
  };
  let batch: KeyedDecision[] = [];
  try {
    for await (const d of keyedDecisions(spec, dir)) {
      done.read++;
      if (d.quarantine) {
        done.quarantine.push(d.quarantine);
        continue;
      }
      done.accepted++;
      batch.push(d);
      if (batch.length >= BATCH_ROWS) {
        await write(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await write(batch);
    await writing;
  } catch (err) {
    // the caller may roll this pass back: no write (or look-up) of it may still be on its way to the database
    await Promise.allSettled([writing, looking]);
    throw err;
  }
  if (inFile) {
    const gone = (await sql.keysOf(target.table, target.keyColumn)).filter((k) => !inFile.has(k));
    await sql.deleteKeys(target.table, target.keyColumn, gone);
    counts.deleted = gone.length;
  }
  if (digest) done.digest = digest;
  return done;
}

/**
 * A keyed file left unread by the read phase: its records decided and written in one pass (the
 * snapshot gets what the read phase would have found), under a savepoint: when that pass meets a
 * file only the whole-file reader handles (NeedsWholeFile), its writes are undone and the file is
 * read whole into the snapshot (undefined returned: the caller imports it as any other file). Such a
 * file that is not valid JSON therefore stops the import inside its transaction (nothing changed).
 */
export async function writeKeyed(
  sql: ImportSql,
  snap: FileSnapshot,
  opts: { dir: string; box: Sealer & Opener; legacyKey: string | undefined; skipBrokenFiles?: boolean; signal?: AbortSignal },
): Promise<KeyedCounts | undefined> {
  const savepoint = await sql.savepoint('keyed_file');
  try {
    const done = await importKeyed(sql, snap.spec, opts.dir, opts.box, opts.signal);
    await savepoint.release();
    snap.read = done.read;
    snap.quarantine.push(...done.quarantine);
    snap.keyed = { accepted: done.accepted, ...(done.digest ? { digest: done.digest } : {}) };
    return done.counts;
  } catch (err) {
    if (!(err instanceof NeedsWholeFile)) throw err;
    await savepoint.rollback();
  }
  const whole = await readWholeFileSnapshot(snap.spec, { dir: opts.dir, legacyKey: opts.legacyKey, skipBrokenFiles: opts.skipBrokenFiles });
  Object.assign(snap, whole);
  delete snap.keyed;
  return undefined;
}
