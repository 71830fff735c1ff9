import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../connect.js';
import type { Engine } from '../dialect.js';
import { DATA_TABLES, type DataTable } from './data-tables.js';

/**
 * Engine-neutral row access for whole-table work (copy, dump, restore, checksums).
 *
 * A *portable row* is an array of values in the order of a column list, with the two engine
 * differences removed: booleans are `true`/`false` (SQLite hands back 0/1) and JSON columns are
 * their JSON text (connect.ts makes pg return json/jsonb as text too). SQL NULL stays `null`, so
 * a JSON column holding the JSON value `null` (text "null") stays distinct from SQL NULL.
 */
export type PortableValue = string | number | boolean | null;
export type PortableRow = PortableValue[];

/** Anything that can run a query: a Kysely instance or an open transaction. */
export type Executor = Kysely<any> | Transaction<any>;

/** Parameters per INSERT statement, below SQLite's 32766 and PostgreSQL's 65535. */
const MAX_PARAMS_PER_INSERT = 30_000;

export async function tableColumns(exec: Executor, engine: Engine, table: string): Promise<string[]> {
  const r =
    engine === 'sqlite'
      ? await sql<{ name: string }>`select name from pragma_table_info(${table}) order by cid`.execute(exec)
      : await sql<{ name: string }>`
          select column_name as name from information_schema.columns
          where table_schema = current_schema() and table_name = ${table} order by ordinal_position`.execute(exec);
  return r.rows.map((x) => x.name);
}

/** The column list of every data table on this database, checked to contain each table's key. */
export async function dataColumns(exec: Executor, engine: Engine): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const t of DATA_TABLES) {
    const cols = await tableColumns(exec, engine, t.name);
    if (!cols.length) throw new Error(`table ${t.name} is missing: is the database migrated?`);
    if (!cols.includes(t.key)) throw new Error(`table ${t.name} has no column ${t.key}`);
    out.set(t.name, cols);
  }
  return out;
}

/**
 * Reads a whole table in primary-key order, `batchSize` rows per query, by keyset
 * (`where key > last`), never OFFSET: each batch is an index range scan, the same cost however
 * deep into the table. The order is each engine's own (text keys may sort differently under a
 * PostgreSQL locale than under SQLite's bytewise BINARY), which is why checksums do not depend
 * on row order (checksum.ts).
 */
export async function* readBatches(
  exec: Executor,
  engine: Engine,
  table: DataTable,
  columns: readonly string[],
  batchSize: number,
): AsyncGenerator<PortableRow[]> {
  const keyIndex = columns.indexOf(table.key);
  const cols = sql.join(columns.map((c) => sql.ref(c)));
  const key = sql.ref(table.key);
  let last: PortableValue | undefined;
  for (;;) {
    const where = last === undefined ? sql`` : sql`where ${key} > ${last}`;
    const r = await sql<Record<string, unknown>>`
      select ${cols} from ${sql.table(table.name)} ${where} order by ${key} limit ${batchSize}`.execute(exec);
    if (!r.rows.length) return;
    const batch = r.rows.map((row) => toPortable(table, columns, row));
    yield batch;
    if (r.rows.length < batchSize) return;
    last = batch[batch.length - 1][keyIndex];
  }
}

function toPortable(table: DataTable, columns: readonly string[], row: Record<string, unknown>): PortableRow {
  return columns.map((c) => {
    const v = row[c];
    if (v === null || v === undefined) return null;
    if (table.bool.includes(c)) return v === true || v === 1 || v === '1';
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
    if (Buffer.isBuffer(v)) throw new Error(`${table.name}.${c} holds binary data, which no MediaOS column stores`);
    return JSON.stringify(v);
  });
}

/** Multi-row INSERTs of portable rows, split so no statement exceeds either engine's parameter limit. */
/** A row the target refused, named by table and key (the multi-row INSERT's error names none). */
export class RowInsertError extends Error {
  constructor(
    readonly table: string,
    readonly row: string,
    cause: unknown,
  ) {
    super(`table ${table}, row ${row}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

const SAVEPOINT = sql.raw('mediaos_insert_rows');

/** `seq 7, id "abc"`: the row's key, plus its `id` when the key is another column. */
function describeRow(table: DataTable, columns: readonly string[], row: PortableRow): string {
  const show = (c: string) => {
    const v = row[columns.indexOf(c)];
    const text = JSON.stringify(typeof v === 'string' && v.length > 80 ? `${v.slice(0, 80)}...` : v);
    return `${c} ${text}`;
  };
  return [table.key, ...(table.key !== 'id' && columns.includes('id') ? ['id'] : [])].map(show).join(', ');
}

/**
 * Inserts portable rows in multi-row statements. Must run inside a transaction: each statement
 * runs under a savepoint, so when one fails the rows are retried one at a time to name the row
 * the target refuses (RowInsertError) instead of a bare database error.
 */
export async function insertRows(exec: Executor, table: DataTable, columns: readonly string[], rows: readonly PortableRow[]): Promise<void> {
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS_PER_INSERT / columns.length));
  const toValues = (chunk: readonly PortableRow[]) =>
    chunk.map((row) => {
      const o: Record<string, PortableValue> = {};
      for (let c = 0; c < columns.length; c++) o[columns[c]] = row[c];
      return o;
    });
  const attempt = async (chunk: readonly PortableRow[]): Promise<unknown> => {
    await sql`savepoint ${SAVEPOINT}`.execute(exec);
    try {
      await exec.insertInto(table.name).values(toValues(chunk)).execute();
    } catch (err) {
      await sql`rollback to savepoint ${SAVEPOINT}`.execute(exec);
      return err;
    } finally {
      await sql`release savepoint ${SAVEPOINT}`.execute(exec);
    }
    return undefined;
  };
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    if ((await attempt(chunk)) === undefined) continue;
    for (const row of chunk) {
      const err = await attempt([row]);
      if (err !== undefined) throw new RowInsertError(table.name, describeRow(table, columns, row), err);
    }
  }
}

/** Names of the data tables that hold at least one row. */
export async function nonEmptyTables(exec: Executor): Promise<string[]> {
  const out: string[] = [];
  for (const t of DATA_TABLES) {
    const r = await sql`select 1 as x from ${sql.table(t.name)} limit 1`.execute(exec);
    if (r.rows.length) out.push(t.name);
  }
  return out;
}

/** Deletes every row of every data table, children first (derived tables follow by trigger). */
export async function clearDataTables(exec: Executor): Promise<void> {
  for (const t of [...DATA_TABLES].reverse()) await sql`delete from ${sql.table(t.name)}`.execute(exec);
}

/**
 * After rows were inserted with explicit identity values, move each PostgreSQL identity sequence
 * past max(value) so the next default insert does not collide. SQLite's INTEGER PRIMARY KEY picks
 * max(rowid) + 1 by itself.
 */
export async function fixIdentitySequences(exec: Executor, engine: Engine): Promise<void> {
  if (engine !== 'postgres') return;
  for (const t of DATA_TABLES) {
    if (!t.identity) continue;
    await sql`
      select setval(pg_get_serial_sequence(${t.name}, ${t.identity}),
        (select coalesce(max(${sql.ref(t.identity)}), 0) + 1 from ${sql.table(t.name)}), false)`.execute(exec);
  }
}

/** Row counts of every data table (count(*), not the checksum pass). */
export async function rowCounts(exec: Executor): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const t of DATA_TABLES) {
    const r = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(t.name)}`.execute(exec);
    out.set(t.name, Number(r.rows[0].n));
  }
  return out;
}

/** Runs `fn` inside a read transaction on `db`, so every read sees one consistent state. */
export async function inSnapshot<T>(db: Database, fn: (exec: Executor) => Promise<T>): Promise<T> {
  const k = db.kysely as unknown as Kysely<any>;
  const trx = db.engine === 'postgres' ? k.transaction().setIsolationLevel('repeatable read') : k.transaction();
  return trx.execute(fn);
}
