/**
 * A keyed file read record by record (keyed-stream.ts) made equal to its table in batches, with
 * the counts the whole-file path (import.ts syncTarget) gives: a new key is inserted, a changed
 * record rewritten, an equal one left alone, a key no longer in the file deleted. Memory: one
 * batch, plus the set of the file's keys when the table already held rows (to find the gone ones).
 */
import { jsonEqual } from './compare.js';
import { BATCH_ROWS, type ImportSql } from './import.sql.js';
import { type KeyedDecision, keyedDecisions } from './keyed-stream.js';
import type { LegacyFileSpec, Opener, Sealer } from './legacy-files.js';

export interface KeyedCounts {
  inserted: number;
  updated: number;
  deleted: number;
  unchanged: number;
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

export async function importKeyed(sql: ImportSql, spec: LegacyFileSpec, dir: string, box: Sealer & Opener): Promise<KeyedCounts> {
  const target = spec.target;
  const counts: KeyedCounts = { inserted: 0, updated: 0, deleted: 0, unchanged: 0 };
  const columns = [...new Set([target.keyColumn, ...target.columns])];
  const empty = (await sql.countRows(target.table)) === 0;
  const inFile = empty ? undefined : new Set<string>();
  for await (const batch of acceptedBatches(spec, dir)) {
    const existing = new Map<string, unknown>();
    if (inFile) {
      const keys = batch.map((d) => d.key!);
      for (const k of keys) inFile.add(k);
      for (const row of await sql.selectRowsByKeys(target.table, columns, target.keyColumn, keys))
        existing.set(String(row[target.keyColumn]), target.fromRow(row, box).record);
    }
    const write = batch.filter((d) => {
      if (!existing.has(d.key!)) {
        counts.inserted++;
        return true;
      }
      if (jsonEqual(d.raw, existing.get(d.key!))) {
        counts.unchanged++;
        return false;
      }
      counts.updated++;
      return true;
    });
    await sql.deleteKeys(
      target.table,
      target.keyColumn,
      write.filter((d) => existing.has(d.key!)).map((d) => d.key!),
    );
    await sql.insertRows(
      target.table,
      write.map((d) => target.toRow(d.ref, d.raw, box)),
    );
  }
  if (inFile) {
    const gone = (await sql.keysOf(target.table, target.keyColumn)).filter((k) => !inFile.has(k));
    await sql.deleteKeys(target.table, target.keyColumn, gone);
    counts.deleted = gone.length;
  }
  return counts;
}
