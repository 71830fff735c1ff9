/**
 * The read-back digest of a keyed file (grabs, verify results, wanted): while the import writes
 * the file's accepted records it sums the rows it made of them (digest.ts: `rows` on SQLite,
 * `pg-rows` on PostgreSQL), and checks that the codec gives each record back from its row. The
 * read-back check then sums the table inside the database (digest.sql.ts) and compares: equal
 * means the table holds exactly those rows, so it skips streaming the file a second time. Any
 * difference, or a record the codec would not give back, falls back to the record-by-record
 * comparison (verify.ts), which names the record: never a false "equal".
 */
import { jsonEqual } from './compare.js';
import { type PgColumnType, SetDigest } from './digest.js';
import type { ImportSql } from './import.sql.js';
import type { Opener, Target } from './legacy-files.js';

/**
 * The digest of a keyed table's rows as written, with what the read-back check sums the table by:
 * its columns (key first) and, on PostgreSQL, their types (verify.ts databaseDigest).
 */
export interface KeyedDigest {
  digest: SetDigest;
  table: string;
  columns: readonly string[];
  types?: readonly PgColumnType[];
}

/** The columns a keyed table's digest sums: the key column and the codec's columns. */
export function keyedColumns(target: Target): string[] {
  return [...new Set([target.keyColumn, ...target.columns])];
}

/** A digest for `target`'s table; undefined when the database could not sum one of its columns. */
export async function keyedDigest(sql: ImportSql, target: Target): Promise<KeyedDigest | undefined> {
  const columns = keyedColumns(target);
  const table = target.table;
  if (sql.engine === 'sqlite') return { digest: new SetDigest('rows'), table, columns };
  const types = await sql.pgColumnTypes(table, columns);
  return types ? { digest: new SetDigest('pg-rows'), table, columns, types } : undefined;
}

/**
 * Adds the row written for `record`. A column the row leaves out takes the table's default, which
 * the digest cannot know: it adds null, and the sums then differ (the check falls back). SQLite
 * stores booleans as 0/1 (sqlite-driver.ts): the digest adds what SQLite gives back.
 */
export function addKeyedRow(d: KeyedDigest, target: Target, row: Record<string, unknown>, record: unknown, open: Opener): void {
  const values = d.columns.map((c) => {
    const v = row[c] ?? null;
    return d.types === undefined && typeof v === 'boolean' ? (v ? 1 : 0) : v;
  });
  if (!jsonEqual(target.fromRow(row, open).record, record))
    d.digest.addRowHash(''); // matches nothing
  else if (d.types) d.digest.addPgRow(values, 0, d.types);
  else d.digest.addRow(values, 0, values.length);
}
