/**
 * verify-import: every legacy record compared with the database, field by field, as JSON values
 * (secrets after decryption on both sides). A record is either in its table (rebuilt with the
 * codec's fromRow) or in the quarantine at its locator with its raw value. Rows of the database
 * that no file record accounts for are mismatches too. The import runs the same check inside
 * its transaction before committing.
 */
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Engine } from '../db/dialect.js';
import type { DB } from '../db/schema.js';
import { streamLegacyArray } from '../legacy/stream-library.js';
import { diffValues, jsonEqual } from './compare.js';
import { type AggregateHost, type PgColumnType, registerRowsDigest, SetDigest } from './digest.js';
import { BATCH_ROWS, createImportSql, LIBRARY_DATA_COLUMNS, LIBRARY_DATA_PG_TYPES } from './import.sql.js';
import { acceptedBatches } from './keyed-import.js';
import { libraryTarget, type Opener, pointer, type Target } from './legacy-files.js';
import { type FileSnapshot, keptAsText, type QuarantineEntry } from './snapshot.js';

export interface Mismatch {
  file: string;
  locator: string;
  field: string;
  problem: string;
}

export interface VerifyResult {
  checked: number;
  mismatches: Mismatch[];
  /** More mismatches existed than `limit`. */
  truncated: boolean;
  /** The library was checked by the import's digest alone (no record-by-record comparison was needed). */
  libraryByDigest?: boolean;
  /** The keyed files checked by the import's digest alone (keyed-digest.ts), in snapshot order. */
  keyedByDigest?: string[];
}

export interface VerifyOptions {
  kysely: Kysely<DB>;
  engine: Engine;
  dir: string;
  snapshot: FileSnapshot[];
  open: Opener;
  limit?: number;
  /**
   * The import's digest of the library records it wrote: when given, library_items is checked by
   * one sequential scan against it (in the database on PostgreSQL), falling back to the
   * record-by-record comparison on a difference.
   */
  libraryDigest?: SetDigest;
  /**
   * The SQLite connection `kysely` runs on (its raw handle): a `rows` digest is then summed by an
   * aggregate inside SQLite (digest.ts registerRowsDigest) instead of reading the rows back here.
   */
  sqlite?: AggregateHost;
}

function rawValue(q: { raw: string; encoding?: string; raw_encoding?: string }): unknown {
  return (q.encoding ?? q.raw_encoding) === 'base64' ? { base64: q.raw } : JSON.parse(q.raw);
}

/**
 * The same text (the usual case: no parsing, which also spares comparing deep values), or the
 * same JSON value when neither is kept as text (1e400 and 2e400 parse the same but differ).
 */
function sameRaw(a: { raw: string; encoding?: string; raw_encoding?: string }, b: { raw: string; encoding?: string; raw_encoding?: string }): boolean {
  const encoding = a.encoding ?? a.raw_encoding;
  if (encoding !== (b.encoding ?? b.raw_encoding)) return false;
  if (a.raw === b.raw) return true;
  return encoding === 'json' && !keptAsText(a.raw) && !keptAsText(b.raw) && jsonEqual(rawValue(a), rawValue(b));
}

export async function verifyAgainstDatabase(opts: VerifyOptions): Promise<VerifyResult> {
  const sql = createImportSql(opts.kysely, opts.engine);
  const limit = opts.limit ?? 1000;
  const mismatches: Mismatch[] = [];
  let checked = 0;
  let truncated = false;
  let libraryByDigest: boolean | undefined;
  const keyedByDigest: string[] = [];
  const add = (m: Mismatch) => {
    if (mismatches.length < limit) mismatches.push(m);
    else truncated = true;
  };
  const quarantineRows = await sql.selectQuarantine();

  for (const snap of opts.snapshot) {
    const file = snap.spec.file;
    // quarantine: expected (from the files) vs recorded
    const expectedQ = new Map<string, QuarantineEntry>();
    for (const q of snap.quarantine) expectedQ.set(q.locator, q);
    const actualQ = new Map(quarantineRows.filter((q) => q.file === file).map((q) => [q.locator, q]));
    const libraryQ = new Set<string>();
    for (const [locator, actual] of actualQ) {
      const expected = expectedQ.get(locator);
      if (snap.spec.streamed && !expected && /^\/items\/\d+$/.test(locator)) {
        libraryQ.add(locator); // checked while streaming below
        continue;
      }
      checked++;
      if (!expected) add({ file, locator, field: '', problem: 'quarantined in the database but not in the file' });
      else if (!sameRaw(expected, actual)) add({ file, locator, field: '', problem: 'quarantined value differs from the file' });
      expectedQ.delete(locator);
    }
    for (const locator of expectedQ.keys()) {
      if (snap.spec.streamed && /^\/items\/\d+$/.test(locator)) continue;
      add({ file, locator, field: '', problem: 'not in the database (neither imported nor quarantined)' });
    }

    if (snap.spec.streamed) {
      const library = await verifyLibrary(opts, snap, actualQ, add);
      checked += library.checked;
      libraryByDigest = library.byDigest;
      continue;
    }
    if (snap.keyed) {
      const written = snap.keyed.digest;
      const found = written ? await databaseDigest(opts, written.table, written.columns, written.digest.of, written.types) : undefined;
      if (written && found?.equals(written.digest)) {
        checked += found.count;
        keyedByDigest.push(file);
      } else checked += await verifyKeyed(opts, snap, add);
      continue;
    }
    const targets: Target[] = [snap.spec.target];
    if (snap.spec.shape.kind === 'array' && snap.spec.shape.rest) targets.push(snap.spec.shape.rest);
    for (const target of targets) {
      const rows = await sql.selectRows(target.table, [...new Set([target.keyColumn, ...target.columns])], target.scope);
      const db = new Map<string, unknown>();
      for (const row of rows) db.set(String(row[target.keyColumn]), target.fromRow(row, opts.open).record);
      for (const unit of snap.accepted) {
        if (unit.target !== target) continue;
        checked++;
        if (!db.has(unit.key)) {
          add({ file, locator: unit.locator, field: '', problem: 'missing in the database' });
          continue;
        }
        for (const d of diffValues(unit.record, db.get(unit.key))) add({ file, locator: unit.locator, field: d.field, problem: d.problem });
        db.delete(unit.key);
      }
      for (const key of db.keys()) {
        add({
          file,
          locator: target.keyColumn === 'id' ? `(id ${key})` : pointer(key),
          field: '',
          problem: snap.exists ? 'in the database but not in the file' : 'in the database but the file does not exist',
        });
      }
    }
  }
  return {
    checked,
    mismatches,
    truncated,
    ...(libraryByDigest === undefined ? {} : { libraryByDigest }),
    ...(keyedByDigest.length > 0 ? { keyedByDigest } : {}),
  };
}

/**
 * A keyed file read record by record: each accepted record against its row, BATCH_ROWS at a time.
 * Then rows no record accounts for: only when the table holds more rows than records matched
 * (a failing check), the file's keys are streamed once more against the table's, so a passing
 * check holds no set of the file's keys (310k grabs: ~30 MB of strings).
 */
async function verifyKeyed(opts: VerifyOptions, snap: FileSnapshot, add: (m: Mismatch) => void): Promise<number> {
  const sql = createImportSql(opts.kysely, opts.engine);
  const { file, target } = snap.spec;
  const columns = [...new Set([target.keyColumn, ...target.columns])];
  let checked = 0;
  let matched = 0;
  const quarantined = new Set(snap.quarantine.map((q) => q.locator));
  for await (const batch of acceptedBatches(snap.spec, opts.dir, quarantined)) {
    const rows = await sql.selectRowsByKeys(
      target.table,
      columns,
      target.keyColumn,
      batch.flatMap((d) => (d.key === undefined ? [] : [d.key])),
    );
    const byKey = new Map(rows.map((r) => [String(r[target.keyColumn]), r]));
    for (const d of batch) {
      checked++;
      const row = d.key === undefined ? undefined : byKey.get(d.key);
      if (!row) {
        add({ file, locator: d.locator, field: '', problem: 'missing in the database' });
        continue;
      }
      matched++;
      for (const diff of diffValues(d.raw, target.fromRow(row, opts.open).record)) add({ file, locator: d.locator, field: diff.field, problem: diff.problem });
    }
  }
  const total = await sql.countRows(target.table);
  if (total > matched) {
    const keys = await sql.keysOf(target.table, target.keyColumn);
    const unaccounted = new Set(keys);
    for await (const batch of acceptedBatches(snap.spec, opts.dir, quarantined)) for (const d of batch) if (d.key !== undefined) unaccounted.delete(d.key);
    for (const key of keys) {
      if (unaccounted.has(key))
        add({ file, locator: target.keyColumn === 'id' ? `(id ${key})` : pointer(key), field: '', problem: 'in the database but not in the file' });
    }
  }
  return checked;
}

/**
 * A digest of `columns` over every row of `table` as it is now, summed inside the database: on
 * PostgreSQL (`pg-rows`, with the columns' types) in one query; on SQLite (`rows`, with its handle)
 * by an aggregate in one scan. Undefined when the database cannot sum this kind.
 */
async function databaseDigest(
  opts: VerifyOptions,
  table: string,
  columns: readonly string[],
  of: SetDigest['of'],
  types: readonly PgColumnType[] | undefined,
): Promise<SetDigest | undefined> {
  const sql = createImportSql(opts.kysely, opts.engine);
  if (of === 'pg-rows' && types && opts.engine === 'postgres') {
    const sums = await sql.pgRowsDigest(table, columns, types);
    return SetDigest.fromSums(sums.count, sums.words);
  }
  if (of === 'rows' && opts.sqlite && opts.engine === 'sqlite') {
    const sums = await sql.sqliteRowsDigest(registerRowsDigest(opts.sqlite), table, columns);
    return SetDigest.fromSums(sums.count, sums.words, 'rows');
  }
  return undefined;
}

/** The library's digest as it is now: summed inside the database, or its rows read back in seq order and summed here. */
async function libraryDigestOfDatabase(opts: VerifyOptions, of: SetDigest['of']): Promise<SetDigest> {
  const inDatabase = await databaseDigest(opts, 'library_items', LIBRARY_DATA_COLUMNS, of, LIBRARY_DATA_PG_TYPES);
  if (inDatabase) return inDatabase;
  const sql = createImportSql(opts.kysely, opts.engine);
  const found = new SetDigest(of);
  const columns = of === 'rows' ? LIBRARY_DATA_COLUMNS : libraryTarget.columns;
  const values = new Array<unknown>(columns.length);
  for (let after = 0; ; ) {
    const page = await sql.libraryPage(columns, after, 500);
    if (page.length === 0) break;
    for (const row of page) {
      if (of === 'records') found.add(libraryTarget.fromRow(row, opts.open).record);
      else {
        for (let k = 0; k < columns.length; k++) values[k] = row[columns[k]!];
        found.addRow(values, 0, columns.length);
      }
    }
    after = Number(page[page.length - 1]!.seq);
  }
  return found;
}

async function verifyLibrary(
  opts: VerifyOptions,
  snap: FileSnapshot,
  quarantined: Map<string, { raw: string; raw_encoding: string }>,
  add: (m: Mismatch) => void,
): Promise<{ checked: number; byDigest?: boolean }> {
  const sql = createImportSql(opts.kysely, opts.engine);
  const file = snap.spec.file;
  if (!snap.exists || snap.broken) {
    const total = await sql.countRows('library_items');
    if (total > 0)
      add({ file, locator: '', field: '', problem: `${total} items in the database but library.json ${snap.broken ? 'is broken' : 'does not exist'}` });
    return { checked: 0 };
  }
  if (opts.libraryDigest) {
    const found = await libraryDigestOfDatabase(opts, opts.libraryDigest.of);
    if (found.equals(opts.libraryDigest)) return { checked: found.count, byDigest: true };
  }
  let checked = 0;
  let matched = 0;
  let batch: { locator: string; id: string; record: unknown }[] = [];
  const flush = async () => {
    const rows = await sql.libraryRowsByIds(
      libraryTarget.columns,
      batch.map((b) => b.id),
    );
    const byId = new Map(rows.map((r) => [String(r.id), r]));
    for (const b of batch) {
      const row = byId.get(b.id);
      if (!row) {
        add({ file, locator: b.locator, field: '', problem: 'missing in the database (neither imported nor quarantined)' });
        continue;
      }
      matched++;
      for (const d of diffValues(b.record, libraryTarget.fromRow(row, opts.open).record)) add({ file, locator: b.locator, field: d.field, problem: d.problem });
    }
    batch = [];
  };
  const it = streamLegacyArray(join(opts.dir, file), 'items');
  // for await: leaving the loop early (an error) closes the stream and its file
  for await (const { index, value, text } of it) {
    checked++;
    const locator = pointer('items', index);
    const q = quarantined.get(locator);
    if (q) {
      if (!sameRaw({ raw: text, encoding: 'json' }, q)) add({ file, locator, field: '', problem: 'quarantined value differs from the file' });
      quarantined.delete(locator);
      continue;
    }
    const id = (value as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') {
      add({ file, locator, field: 'id', problem: 'not in the database (neither imported nor quarantined)' });
      continue;
    }
    batch.push({ locator, id, record: value });
    if (batch.length >= BATCH_ROWS) await flush();
  }
  if (batch.length > 0) await flush();
  for (const [locator] of quarantined) {
    if (/^\/items\/\d+$/.test(locator)) add({ file, locator, field: '', problem: 'quarantined in the database but not in the file' });
  }
  // counted only here: a digest that matched has counted the rows already (1M on PostgreSQL: 0.3 s)
  const total = await sql.countRows('library_items');
  if (total > matched) add({ file, locator: '', field: '', problem: `${total - matched} items in the database are not in library.json` });
  return { checked, ...(opts.libraryDigest ? { byDigest: false } : {}) };
}
