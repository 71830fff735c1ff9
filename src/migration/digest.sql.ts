/**
 * The database's side of the read-back digests (digest.ts): the sums over a table's rows, computed
 * by the database in one scan, so no row travels back to Node. Table and column names come from the
 * legacy-files registry, never from input.
 */
import { sql } from 'kysely';
import type { PgColumnType } from './digest.js';
import type { AnyDb } from './import-batch.sql.js';

export interface DigestSums {
  count: number;
  words: number[];
}

/** The SQL of digest.ts pgRowText: the same text, built by the database from a row's columns. */
function pgRowSql(columns: readonly string[], types: readonly PgColumnType[]): string {
  return columns
    .map((name, k) => {
      const c = `"${name}"`;
      const text = types[k] === 'jsonb' ? `${c}::text` : c;
      if (types[k] === 'integer') return `coalesce('#' || ${c}::text || ';', '~')`;
      if (types[k] === 'boolean') return `coalesce('?' || ${c}::text || ';', '~')`;
      return `coalesce(octet_length(${text})::text || ':' || ${text}, '~')`;
    })
    .join(' || ');
}

/** PostgreSQL's data types a `pg-rows` digest can express, by information_schema's name. */
const PG_TYPES: Record<string, PgColumnType> = {
  text: 'text',
  'character varying': 'text',
  smallint: 'integer',
  integer: 'integer',
  bigint: 'integer',
  boolean: 'boolean',
  jsonb: 'jsonb',
};

export function createDigestSql(db: AnyDb) {
  return {
    /**
     * PostgreSQL: the `pg-rows` digest of `columns` of every row of `table`, in one scan: the row
     * count and, for each of the four 32-bit words of MD5(pgRowText), its sum over the rows mod 2^32
     * (digest.ts SetDigest.fromSums). `OFFSET 0` keeps the row subquery a subquery: flattened, the
     * planner put md5(...) into each of the four sums, hashing every row four times (1M library
     * rows: 10.4 s of backend CPU against 3.2 s, same sums).
     */
    async pgRowsDigest(table: string, columns: readonly string[], types: readonly PgColumnType[]): Promise<DigestSums> {
      const word = (i: number) => `(sum(('x' || substr(h, ${i * 8 + 1}, 8))::bit(32)::bigint) % 4294967296)::text AS w${i}`;
      const r = await sql
        .raw<Record<string, string>>(
          `SELECT count(*)::text AS n, ${[0, 1, 2, 3].map(word).join(', ')}
           FROM (SELECT md5(${pgRowSql(columns, types)}) AS h FROM "${table}" OFFSET 0) rows`,
        )
        .execute(db);
      const row = r.rows[0]!;
      return { count: Number(row.n), words: [0, 1, 2, 3].map((i) => Number(row[`w${i}`] ?? 0)) };
    },

    /**
     * SQLite: the `rows` digest of `columns` of every row of `table` by the aggregate `fn`
     * (digest.ts registerRowsDigest, registered on this connection), in one scan: its sums.
     */
    async sqliteRowsDigest(fn: string, table: string, columns: readonly string[]): Promise<DigestSums> {
      const r = await sql.raw<{ d: string | null }>(`SELECT ${fn}(${columns.map((c) => `"${c}"`).join(', ')}) AS d FROM "${table}"`).execute(db);
      const d = r.rows[0]?.d;
      return d ? (JSON.parse(d) as DigestSums) : { count: 0, words: [] };
    },

    /**
     * PostgreSQL: how each of `columns` of `table` prints in a `pg-rows` digest; undefined when one
     * has a type the digest does not express (its check is then record by record).
     */
    async pgColumnTypes(table: string, columns: readonly string[]): Promise<PgColumnType[] | undefined> {
      const r = await sql<{ column_name: string; data_type: string }>`select column_name, data_type from information_schema.columns
        where table_schema = current_schema() and table_name = ${table}`.execute(db);
      const byName = new Map(r.rows.map((c) => [c.column_name, PG_TYPES[c.data_type]]));
      const types = columns.map((c) => byName.get(c));
      return types.every((t) => t !== undefined) ? (types as PgColumnType[]) : undefined;
    },
  };
}
