/**
 * A/B of how a statement's parameters reach better-sqlite3: one array (`stmt.run(params)`, what
 * the SQLite driver did) or as the call's arguments (`stmt.run(...params)`, what
 * src/db/sqlite-driver.ts does now). The statement is the import's library insert (BATCH_ROWS rows
 * of LIBRARY_INSERT_COLUMNS, ON CONFLICT DO NOTHING) into a freshly migrated database with the
 * library's indexes set aside as the bulk load sets them aside; the rows are library.json's as the
 * import's parser makes them (libraryBatches on a generated dir). Each round writes every row both
 * ways, in turns (array first in even rounds), each into its own new database, so a slow minute of
 * a shared machine falls on both. Prints each round and the medians.
 *
 *   npx tsx bench/sqlite-bind.ts [--items 200000] [--rounds 5]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/connect.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { createImportSql } from '../src/migration/import.sql.js';
import { type AnyDb, BATCH_ROWS, createBatchWriter } from '../src/migration/import-batch.sql.js';
import { LIBRARY_INSERT_COLUMNS, libraryBatches } from '../src/migration/library-batches.js';
import { generateLegacyDir } from './generate-legacy.js';

const { values } = parseArgs({ options: { items: { type: 'string', default: '200000' }, rounds: { type: 'string', default: '5' } } });
const items = Number(values.items);
const rounds = Number(values.rounds);
const work = mkdtempSync(join(tmpdir(), 'mediaos-bind-'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  const legacy = join(work, 'legacy');
  await generateLegacyDir({ items, seed: 1, dir: legacy });
  const batches: unknown[][] = [];
  const width = LIBRARY_INSERT_COLUMNS.length;
  for await (const b of libraryBatches(legacy, new Date().toISOString())) {
    for (let i = 0; i < b.params.length; i += BATCH_ROWS * width) batches.push(b.params.slice(i, i + BATCH_ROWS * width));
  }
  const rowsOf = (p: unknown[]) => p.length / width;

  /** Writes every batch into a new migrated database one way; returns the seconds the inserts took. */
  const write = async (way: 'array' | 'arguments', round: number): Promise<number> => {
    const db = openDatabase({ engine: 'sqlite', location: join(work, `${way}-${round}.db`) });
    try {
      await migrateToLatest(db);
      const raw = db.sqlite!;
      let seconds = 0;
      await db.kysely.transaction().execute(async (trx) => {
        await createImportSql(trx, 'sqlite').suspendLibraryIndexes();
        // the import's own statement text (library-bulk.sql.ts insertLibraryParams)
        const { insertText } = createBatchWriter(trx as unknown as AnyDb, 'sqlite');
        const statements = new Map<number, BetterSqlite3.Statement>();
        const start = process.hrtime.bigint();
        let written = 0;
        for (const params of batches) {
          const rows = rowsOf(params);
          let stmt = statements.get(rows);
          if (!stmt) {
            stmt = raw.prepare(insertText('library_items', LIBRARY_INSERT_COLUMNS, rows, ' ON CONFLICT DO NOTHING'));
            statements.set(rows, stmt);
          }
          written += way === 'array' ? stmt.run(params).changes : stmt.run(...params).changes;
        }
        seconds = Number(process.hrtime.bigint() - start) / 1e9;
        const n = Number((await sql<{ n: number }>`select count(*) as n from library_items`.execute(trx)).rows[0]!.n);
        if (n !== written || n !== batches.reduce((s, p) => s + rowsOf(p), 0)) throw new Error(`${way}: ${n} rows in the table, ${written} written`);
      });
      return seconds;
    } finally {
      await db.close();
      rmSync(join(work, `${way}-${round}.db`), { force: true });
    }
  };

  const times = { array: [] as number[], arguments: [] as number[] };
  console.log(`${batches.reduce((s, p) => s + rowsOf(p), 0)} library rows in ${batches.length} inserts of up to ${BATCH_ROWS} rows x ${width} columns`);
  for (let round = 0; round < rounds; round++) {
    const order: ('array' | 'arguments')[] = round % 2 === 0 ? ['array', 'arguments'] : ['arguments', 'array'];
    for (const way of order) times[way].push(await write(way, round));
    console.log(`round ${round + 1}: array ${times.array[round]!.toFixed(2)} s, arguments ${times.arguments[round]!.toFixed(2)} s`);
  }
  const a = median(times.array);
  const b = median(times.arguments);
  console.log(`median: array ${a.toFixed(2)} s, arguments ${b.toFixed(2)} s; arguments / array ${(b / a).toFixed(3)}x`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
