import { CompiledQuery, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyValue } from '../../src/db/pg-copy.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';

const COLUMNS = ['pos', 't', 'j', 'jb', 'big', 'n', 'b'] as const;

const NASTY_TEXT = [
  '',
  'plain',
  'back\\slash',
  '\\N',
  '\\.',
  '\\',
  'ends with a backslash\\',
  'tab\there',
  'new\nline',
  'carriage\rreturn\r\n',
  '"double" and \'single\' quotes, commas, ; | and $1',
  'unicode é ß 漢字 🎬 \u2028\u2029 \u00a0',
  'controls \u0001 \u0008 \u000b \u000c \u001f \u007f',
  '\\t\\n literally, \\x41 \\101',
  ' leading and trailing spaces ',
];

/** Rows of every column type the import writes, NULLs included. */
function nastyRows(): unknown[][] {
  const rows: unknown[][] = [];
  const json = [
    JSON.stringify({ a: 'x\ny', b: '\\', c: '"', d: '\t', e: 'é🎬', f: [1, null, true], g: '\\u0000 as text' }),
    '{"spaced" :  1,"order":[3,2,1]}',
    '"a string"',
    'null',
  ];
  const big = [0, 1, -1, 2 ** 53 - 1, -(2 ** 53 - 1), 9007199254740993n, -9223372036854775808n, 9223372036854775807n];
  NASTY_TEXT.forEach((t, i) => {
    rows.push([i, t, json[i % json.length], json[(i + 1) % json.length], big[i % big.length], i % 3 === 0 ? null : -2147483648 + i, i % 2 === 0]);
  });
  rows.push([NASTY_TEXT.length, null, null, null, null, null, null]);
  rows.push([NASTY_TEXT.length + 1, { object: 'as JSON text' }, { k: 'v\\"' }, { k: ['é', 1] }, 12, 7, false]);
  return rows;
}

describe('COPY values', () => {
  it('escapes like the text format wants and refuses what the import never writes', () => {
    expect(copyValue('a\\b\tc\nd\re', 'x')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyValue(null, 'x')).toBe('\\N');
    expect(copyValue(undefined, 'x')).toBe('\\N');
    expect(copyValue('\\N', 'x')).toBe('\\\\N');
    expect(copyValue(true, 'x')).toBe('t');
    expect(copyValue(2n ** 63n - 1n, 'x')).toBe('9223372036854775807');
    expect(() => copyValue(Buffer.from('x'), 'poster')).toThrow(/column poster/);
    expect(() => copyValue(new Date(0), 'created_at')).toThrow(/column created_at/);
  });
});

for (const engine of sqlEngines().filter((e) => e === 'postgres')) {
  describe(`COPY FROM STDIN on ${engine}`, () => {
    let t: TestDatabase;
    beforeEach(async () => {
      t = await createTestDatabase(engine, { migrate: false });
      for (const table of ['copied', 'inserted'])
        await sql.raw(`create table ${table} (pos integer primary key, t text, j json, jb jsonb, big bigint, n integer, b boolean)`).execute(t.db.kysely);
    });
    afterEach(async () => t.cleanup());

    it('round-trips backslashes, tabs, newlines, quotes, unicode, JSON, NULLs, booleans and 64-bit ints byte for byte, in the schema of DATABASE_SCHEMA', async () => {
      const rows = nastyRows();
      const copied = await t.db.kysely.transaction().execute(async (trx) => {
        return t.db.copyIn!(trx, 'copied', COLUMNS, { values: rows.flat(), width: COLUMNS.length, count: rows.length });
      });
      expect(copied).toBe(rows.length);
      // the same rows as bind parameters, the way the INSERTs wrote them
      const params = rows.flat().map((v) => (typeof v === 'bigint' ? String(v) : v));
      const tuples = rows.map((_, r) => `(${COLUMNS.map((_, c) => `$${r * COLUMNS.length + c + 1}`).join(', ')})`).join(', ');
      await t.db.kysely.executeQuery(CompiledQuery.raw(`insert into inserted (${COLUMNS.join(', ')}) values ${tuples}`, params));

      const read = async (table: string) =>
        (
          await sql
            .raw<Record<string, string | null>>(
              `select pos, t, j::text as j, jb::text as jb, big::text as big, n::text as n, b::text as b from ${table} order by pos`,
            )
            .execute(t.db.kysely)
        ).rows;
      const got = await read('copied');
      expect(got).toEqual(await read('inserted'));
      // text and json keep every byte; 64-bit ints beyond 2^53 are exact
      expect(got.map((r) => r.t)).toEqual(rows.map((r) => (r[1] === null ? null : typeof r[1] === 'string' ? r[1] : JSON.stringify(r[1]))));
      expect(got.map((r) => r.j)).toEqual(rows.map((r) => (r[2] === null ? null : typeof r[2] === 'string' ? r[2] : JSON.stringify(r[2]))));
      expect(got.map((r) => r.big)).toEqual(rows.map((r) => (r[4] === null ? null : String(r[4]))));
      expect(got.map((r) => r.b)).toEqual(rows.map((r) => (r[6] === null ? null : String(r[6]))));
      // the table of the test's own schema (search_path), none elsewhere
      const where = await sql<{ s: string }>`select table_schema as s from information_schema.tables where table_name = 'copied'`.execute(t.db.kysely);
      expect(where.rows.map((r) => r.s)).toEqual([t.target.pgSchema]);
    });

    it('rows across many 64 KB chunks and values longer than a chunk (multi-byte UTF-8) arrive whole', async () => {
      const long = `${'é漢🎬\t\\'.repeat(30_000)}end`; // ~300 KB of UTF-8, escapes included
      const rows: unknown[][] = [];
      for (let i = 0; i < 3000; i++) rows.push([i, i % 1000 === 7 ? long : `title ${i} ${'ß'.repeat(i % 50)}`, null, null, i, i, i % 2 === 0]);
      const copied = await t.db.kysely
        .transaction()
        .execute((trx) => t.db.copyIn!(trx, 'copied', COLUMNS, { values: rows.flat(), width: COLUMNS.length, count: rows.length }));
      expect(copied).toBe(rows.length);
      const got = (await sql<{ pos: number; t: string; big: string }>`select pos, t, big::text as big from copied order by pos`.execute(t.db.kysely)).rows;
      expect(got.map((r) => r.t)).toEqual(rows.map((r) => r[1]));
      expect(got.map((r) => r.big)).toEqual(rows.map((r) => String(r[4])));
    });

    it('runs inside a transaction only, and a failed COPY fails that transaction with nothing written', async () => {
      const one = { values: [1, 'x', null, null, null, null, null], width: COLUMNS.length, count: 1 };
      await expect(t.db.copyIn!(t.db.kysely, 'copied', COLUMNS, one)).rejects.toThrow(/inside a transaction/);
      await expect(
        t.db.kysely.transaction().execute(async (trx) => {
          await t.db.copyIn!(trx, 'copied', COLUMNS, one);
          await t.db.copyIn!(trx, 'copied', COLUMNS, one); // the same primary key again
        }),
      ).rejects.toThrow(/duplicate key/);
      const n = await sql<{ n: number }>`select count(*)::int as n from copied`.execute(t.db.kysely);
      expect(n.rows[0]!.n).toBe(0);
    });
  });
}
