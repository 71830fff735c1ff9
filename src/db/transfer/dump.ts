import { createWriteStream, existsSync, renameSync, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Kysely } from 'kysely';
import type { Database } from '../connect.js';
import { migrations } from '../migrations/index.js';
import { type SummaryComparison, summarizeTables, TableHasher, type TableSummary } from './checksum.js';
import { DATA_TABLES, type DataTable, dataTable } from './data-tables.js';
import { DUMP_FORMAT, DUMP_VERSION, type DumpEnd, DumpFormatError, type DumpHeader, parseDumpLine, readDumpLines } from './dump-format.js';
import {
  clearDataTables,
  dataColumns,
  type Executor,
  fixIdentitySequences,
  inSnapshot,
  insertRows,
  type PortableRow,
  readBatches,
  rowCounts,
} from './table-rows.js';
import { assertSourceAtLatest, type ProgressListener, prepareTarget, TransferRefused } from './transfer-checks.js';

export { DumpFormatError } from './dump-format.js';

export interface DumpResult {
  file: string;
  header: DumpHeader;
  rows: number;
  tables: TableSummary[];
}

/**
 * Writes every data table of `db` to `file` (format: dump-format.ts), streaming: rows are read in
 * key-ordered batches inside one read snapshot and piped through gzip with backpressure, so memory
 * stays bounded whatever the table sizes. The file appears only when complete (written to a
 * temporary name, then renamed).
 */
export async function dumpDatabase(db: Database, file: string, opts: { batchSize?: number; onProgress?: ProgressListener } = {}): Promise<DumpResult> {
  const batchSize = opts.batchSize ?? 1000;
  const schemaVersion = await assertSourceAtLatest(db);
  const header: DumpHeader = { format: DUMP_FORMAT, version: DUMP_VERSION, schemaVersion, createdAt: new Date().toISOString(), engine: db.engine };
  const partial = `${file}.partial-${process.pid}`;
  const tables: TableSummary[] = [];
  let done = 0;
  try {
    await inSnapshot(db, async (src) => {
      const columns = await dataColumns(src, db.engine);
      const counts = await rowCounts(src);
      const total = [...counts.values()].reduce((s, n) => s + n, 0);
      async function* lines(): AsyncGenerator<string> {
        yield `${JSON.stringify(header)}\n`;
        for (const t of DATA_TABLES) {
          const cols = columns.get(t.name)!;
          const hasher = new TableHasher(t, cols);
          const tableTotal = counts.get(t.name) ?? 0;
          opts.onProgress?.({ table: t.name, tableDone: 0, tableTotal, done, total });
          yield `${JSON.stringify({ table: t.name, columns: cols })}\n`;
          for await (const batch of readBatches(src, db.engine, t, cols, batchSize)) {
            hasher.add(batch);
            done += batch.length;
            opts.onProgress?.({ table: t.name, tableDone: hasher.rows, tableTotal, done, total });
            yield batch.map((row) => `${JSON.stringify(row)}\n`).join('');
          }
          tables.push(hasher.digest());
        }
        const end: DumpEnd = { end: true, tables: Object.fromEntries(tables.map((s) => [s.table, { rows: s.rows, checksum: s.checksum }])) };
        yield `${JSON.stringify(end)}\n`;
      }
      await pipeline(Readable.from(lines()), createGzip(), createWriteStream(partial));
    });
    renameSync(partial, file);
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  }
  return { file, header, rows: done, tables };
}

export interface RestoreOptions {
  replace?: boolean;
  batchSize?: number;
  onProgress?: ProgressListener;
  /** Called before a non-empty database is replaced (e.g. to back it up). */
  beforeReplace?: (db: Database) => Promise<void>;
}

export interface RestoreResult {
  header: DumpHeader;
  rows: number;
  replaced: string[];
  /** The dump's end line (source) against the restored tables (target). */
  comparison: SummaryComparison[];
}

/** The restored tables do not match the dump's counts/checksums; the transaction was rolled back. */
export class RestoreVerificationError extends Error {
  constructor(readonly comparison: SummaryComparison[]) {
    super(
      `the restored data does not match the dump (${comparison
        .filter((c) => !c.same)
        .map((c) => c.table)
        .join(', ')}); nothing was changed`,
    );
  }
}

/**
 * Restores a dump into `db` (either engine): the header is checked before anything is touched,
 * then the database is migrated, refused if not empty (unless `replace`), and every row inserted in
 * batches inside ONE transaction, which also clears the old rows, fixes identity sequences and
 * checks each table's count and checksum against the dump's end line. Any problem (a corrupt or
 * truncated file, a mismatch) rolls the whole restore back.
 */
export async function restoreDatabase(db: Database, file: string, opts: RestoreOptions = {}): Promise<RestoreResult> {
  const batchSize = opts.batchSize ?? 1000;
  if (!existsSync(file)) throw new TransferRefused(`the dump file ${file} does not exist`);
  const lines = readDumpLines(file);
  try {
    const first = await lines.next();
    if (first.done) throw new DumpFormatError(1, 'the file is empty');
    const parsed = parseDumpLine(first.value.n, first.value.text);
    if (parsed.kind !== 'header') throw new DumpFormatError(1, 'the first line must be the mediaos-dump header');
    const header = parsed.header;
    const latest = migrations[migrations.length - 1].version;
    if (header.schemaVersion !== latest) {
      throw new TransferRefused(
        header.schemaVersion > latest
          ? `the dump is at schema version ${header.schemaVersion}, newer than this MediaOS build (${latest}): upgrade MediaOS first`
          : `the dump is at schema version ${header.schemaVersion} but this MediaOS build is at ${latest}: ` +
              'restore it with the MediaOS version that wrote it, run `mediaos migrate`, then dump again',
      );
    }
    const { replacing } = await prepareTarget(db, opts);
    let rows = 0;
    let comparison: SummaryComparison[] = [];
    await (db.kysely as unknown as Kysely<any>).transaction().execute(async (trx) => {
      if (opts.replace) await clearDataTables(trx);
      const end = await loadRows(trx, db, lines, batchSize, opts.onProgress, (n) => (rows = n));
      await fixIdentitySequences(trx, db.engine);
      const restored = await summarizeTables(trx, db.engine);
      comparison = restored.map((r) => {
        const expected = end.tables[r.table];
        const source: TableSummary = { table: r.table, rows: expected.rows, checksum: expected.checksum };
        return { table: r.table, source, target: r, same: source.rows === r.rows && source.checksum === r.checksum };
      });
      if (comparison.some((c) => !c.same)) throw new RestoreVerificationError(comparison);
    });
    return { header, rows, replaced: replacing, comparison };
  } finally {
    await lines.return(undefined);
  }
}

/** Reads the table/row/end lines after the header and inserts them; returns the end line. */
async function loadRows(
  trx: Executor,
  db: Database,
  lines: AsyncGenerator<{ n: number; text: string }>,
  batchSize: number,
  onProgress: ProgressListener | undefined,
  setRows: (n: number) => void,
): Promise<DumpEnd> {
  const targetColumns = await dataColumns(trx, db.engine);
  const seen = new Set<string>();
  let order = -1;
  let current: { table: DataTable; columns: string[]; done: number } | undefined;
  let batch: PortableRow[] = [];
  let done = 0;
  let lastLine = 1;
  const flush = async () => {
    if (!current || !batch.length) return;
    await insertRows(trx, current.table, current.columns, batch);
    current.done += batch.length;
    done += batch.length;
    setRows(done);
    onProgress?.({ table: current.table.name, tableDone: current.done, done });
    batch = [];
  };
  for await (const { n, text } of lines) {
    lastLine = n;
    const line = parseDumpLine(n, text);
    if (line.kind === 'header') throw new DumpFormatError(n, 'a second header');
    if (line.kind === 'row') {
      if (!current) throw new DumpFormatError(n, 'a row before any table line');
      if (line.row.length !== current.columns.length) {
        throw new DumpFormatError(n, `${current.table.name}: a row has ${line.row.length} values for ${current.columns.length} columns`);
      }
      batch.push(line.row);
      if (batch.length >= batchSize) await flush();
      continue;
    }
    await flush();
    if (line.kind === 'table') {
      const t = dataTable(line.start.table);
      const at = DATA_TABLES.findIndex((x) => x.name === line.start.table);
      if (!t) throw new DumpFormatError(n, `unknown table ${line.start.table}`);
      if (seen.has(t.name) || at < order) throw new DumpFormatError(n, `table ${t.name} is out of order or repeated`);
      const want = [...targetColumns.get(t.name)!].sort().join(',');
      const got = [...line.start.columns].sort().join(',');
      if (want !== got) throw new DumpFormatError(n, `table ${t.name} has columns ${got}, the database has ${want}`);
      seen.add(t.name);
      order = at;
      current = { table: t, columns: line.start.columns, done: 0 };
      onProgress?.({ table: t.name, tableDone: 0, done });
      continue;
    }
    const missing = DATA_TABLES.filter((t) => !seen.has(t.name) || !line.end.tables[t.name]).map((t) => t.name);
    if (missing.length) throw new DumpFormatError(n, `the dump lacks table(s) ${missing.join(', ')}`);
    const extra = await lines.next();
    if (!extra.done) throw new DumpFormatError(extra.value.n, 'content after the end line');
    return line.end;
  }
  throw new DumpFormatError(lastLine, 'the file ends after this line without its end line: it is truncated');
}
