import type { Kysely } from 'kysely';
import { type Database, type DatabaseTarget, openDatabase } from '../connect.js';
import { checkFreeSpace, type FreeSpaceProbe } from '../free-space.js';
import { databaseBytes } from '../space-needs.js';
import { compareSummaries, type SummaryComparison, summarizeTables, TableHasher, type TableSummary } from './checksum.js';
import { DATA_TABLES } from './data-tables.js';
import { clearDataTables, dataColumns, type Executor, fixIdentitySequences, inSnapshot, insertRows, readBatches, rowCounts } from './table-rows.js';
import { sameDatabase } from './target-url.js';
import { assertSourceAtLatest, assertSourceExists, type ProgressListener, prepareTarget, TransferRefused } from './transfer-checks.js';

export interface CopyOptions {
  from: DatabaseTarget;
  to: DatabaseTarget;
  /** Replace the rows of a non-empty target (cleared inside the copy transaction). */
  replace?: boolean;
  /** Rows per read query (and per insert batch). */
  batchSize?: number;
  onProgress?: ProgressListener;
  /** Called before a non-empty target is replaced (e.g. to back it up). */
  beforeReplace?: (target: Database) => Promise<void>;
  /** Free bytes of a file system (default statfs): a SQLite target must have room for the source's size. */
  freeSpace?: FreeSpaceProbe;
}

export interface CopyResult {
  schemaVersion: number;
  rows: number;
  /** Tables that had rows in the target before (replaced). */
  replaced: string[];
  comparison: SummaryComparison[];
  /** True when every table has the same count and checksum on both sides. */
  identical: boolean;
}

export const DEFAULT_BATCH_SIZE = 1000;

/**
 * Copies every data table from one database to another, of either engine.
 *
 * The source is read inside one snapshot (a read transaction; REPEATABLE READ on PostgreSQL) so a
 * running server cannot make the copy inconsistent; the target is written inside ONE transaction,
 * tables in foreign-key order, so a failure leaves it as it was. The source checksums are taken
 * from the rows as they are copied; after commit the target is read back independently and its
 * counts and checksums compared.
 */
export async function copyDatabase(opts: CopyOptions): Promise<CopyResult> {
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  if (sameDatabase(opts.from, opts.to)) throw new TransferRefused('the source and the target are the same database');
  assertSourceExists(opts.from);
  const source = openDatabase(opts.from, { readonly: opts.from.engine === 'sqlite' });
  let target: Database | undefined;
  try {
    const schemaVersion = await assertSourceAtLatest(source);
    if (opts.to.engine === 'sqlite') {
      checkFreeSpace([{ path: opts.to.location, bytes: await databaseBytes(source), what: 'the copy (the size of the source database)' }], opts.freeSpace);
    }
    target = openDatabase(opts.to);
    const { replacing } = await prepareTarget(target, opts);
    const t = target;
    const { sourceSummaries, rows } = await inSnapshot(source, (src) => copyRows(src, source, t, opts, batchSize));
    const targetSummaries = await summarizeTables(t.kysely, t.engine);
    const comparison = compareSummaries(sourceSummaries, targetSummaries);
    return { schemaVersion, rows, replaced: replacing, comparison, identical: comparison.every((c) => c.same) };
  } finally {
    await target?.close();
    await source.close();
  }
}

async function copyRows(
  src: Executor,
  source: Database,
  target: Database,
  opts: CopyOptions,
  batchSize: number,
): Promise<{ sourceSummaries: TableSummary[]; rows: number }> {
  const srcColumns = await dataColumns(src, source.engine);
  const dstColumns = await dataColumns(target.kysely, target.engine);
  for (const t of DATA_TABLES) {
    const a = [...srcColumns.get(t.name)!].sort().join(',');
    const b = [...dstColumns.get(t.name)!].sort().join(',');
    if (a !== b) throw new Error(`table ${t.name} has different columns on the source (${a}) and the target (${b})`);
  }
  const counts = await rowCounts(src);
  const total = [...counts.values()].reduce((s, n) => s + n, 0);
  const sourceSummaries: TableSummary[] = [];
  let done = 0;
  await (target.kysely as unknown as Kysely<any>).transaction().execute(async (dst) => {
    if (opts.replace) await clearDataTables(dst);
    for (const t of DATA_TABLES) {
      const columns = srcColumns.get(t.name)!;
      const hasher = new TableHasher(t, columns);
      const tableTotal = counts.get(t.name) ?? 0;
      opts.onProgress?.({ table: t.name, tableDone: 0, tableTotal, done, total });
      for await (const batch of readBatches(src, source.engine, t, columns, batchSize)) {
        await insertRows(dst, t, columns, batch);
        hasher.add(batch);
        done += batch.length;
        opts.onProgress?.({ table: t.name, tableDone: hasher.rows, tableTotal, done, total });
      }
      sourceSummaries.push(hasher.digest());
    }
    await fixIdentitySequences(dst, target.engine);
  });
  return { sourceSummaries, rows: done };
}
