import { type LogEvent, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { compileOnce } from '../../src/db/compiled.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';

const item = (id: string) => ({ id, kind: 'movie', title: id, title_lower: id, search_text: id }) as never;

for (const engine of sqlEngines()) {
  describe(`statement events and the connection (${engine})`, () => {
    let t: TestDatabase | undefined;
    afterEach(async () => {
      await t?.cleanup();
      t = undefined;
    });

    it('tells every statement to the observers with its duration; a failure as an error', async () => {
      t = await createTestDatabase(engine);
      const k = t.db.kysely;
      const seen: LogEvent[] = [];
      const stop = t.db.observeQueries((e) => seen.push(e));
      const count = compileOnce(k, 1, (slot) =>
        k
          .selectFrom('library_items')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('kind', '=', slot<'movie'>(0)),
      );
      await k.insertInto('library_items').values(item('a')).execute();
      expect(Number((await count(['movie'])).rows[0]?.n)).toBe(1);
      await expect(sql`select * from no_such_table`.execute(k)).rejects.toThrow();
      // compileOnce's own path (without Kysely's executor) tells its failures too, and releases its connection.
      const missing = compileOnce(k, 0, () => sql<{ n: number }>`select count(*) as n from no_such_table`);
      await expect(missing([])).rejects.toThrow(/no_such_table/);
      stop();
      await count(['movie']);
      expect(seen.map((e) => [e.level, e.query.sql.split(' ')[0]?.toLowerCase()])).toEqual([
        ['query', 'insert'],
        ['query', 'select'],
        ['error', 'select'],
        ['error', 'select'],
      ]);
      for (const e of seen) expect(e.queryDurationMillis).toBeGreaterThanOrEqual(0);
      expect(seen[2]?.level === 'error' && String(seen[2].error)).toMatch(/no_such_table/);
      // An observer that throws fails nothing.
      t.db.observeQueries(() => {
        throw new Error('observer failed');
      });
      expect(Number((await count(['movie'])).rows[0]?.n)).toBe(1);
    });

    it('a compileOnce statement waits while a transaction holds the connection, and never sees its uncommitted rows', async () => {
      t = await createTestDatabase(engine);
      const k = t.db.kysely;
      const count = compileOnce(k, 0, () => k.selectFrom('library_items').select((eb) => eb.fn.countAll().as('n')));
      let during: Promise<number> | undefined;
      let settled = false;
      await expect(
        k.transaction().execute(async (trx) => {
          await trx.insertInto('library_items').values(item('rolled-back')).execute();
          during = count([]).then((r) => {
            settled = true;
            return Number(r.rows[0]?.n);
          });
          await new Promise((r) => setTimeout(r, 30));
          // SQLite has one connection: the count waits for the transaction to end.
          if (engine === 'sqlite') expect(settled).toBe(false);
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect(await during).toBe(0);
    });

    it('runs savepoints of a controlled transaction', async () => {
      t = await createTestDatabase(engine);
      const k = t.db.kysely;
      const trx = await k.startTransaction().execute();
      await trx.insertInto('library_items').values(item('kept')).execute();
      const sp = await trx.savepoint('before_second').execute();
      await sp.insertInto('library_items').values(item('undone')).execute();
      const back = await sp.rollbackToSavepoint('before_second').execute();
      await back.releaseSavepoint('before_second').execute();
      await back.commit().execute();
      const ids = (await k.selectFrom('library_items').select('id').execute()).map((r) => r.id);
      expect(ids).toEqual(['kept']);
    });
  });
}

describe('the SQLite connection under concurrent statements', () => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });

  it('runs a compileOnce statement at once when nothing holds the connection (no trip through the executor)', async () => {
    t = await createTestDatabase('sqlite');
    const k = t.db.kysely;
    const seen: string[] = [];
    t.db.observeQueries((e) => seen.push(e.query.sql));
    const count = compileOnce(k, 0, () => k.selectFrom('library_items').select((eb) => eb.fn.countAll().as('n')));
    const pending = count([]);
    // Already run before the call returned; a builder query still goes through Kysely's executor.
    expect(seen).toHaveLength(1);
    const viaKysely = k.selectFrom('library_items').select('id').execute();
    expect(seen).toHaveLength(1);
    await Promise.all([pending, viaKysely]);
    expect(seen).toHaveLength(2);
  });

  it('serves statements that waited for a transaction in the order they asked', async () => {
    t = await createTestDatabase('sqlite');
    const k = t.db.kysely;
    const order: string[] = [];
    const stop = t.db.observeQueries((e) => {
      const m = /'(w\d)'/.exec(e.query.sql);
      if (m) order.push(m[1]!);
    });
    const waiting: Promise<unknown>[] = [];
    await k.transaction().execute(async (trx) => {
      await trx.insertInto('library_items').values(item('x')).execute();
      for (const w of ['w1', 'w2', 'w3', 'w4']) waiting.push(sql.raw(`select '${w}' as w`).execute(k));
      await new Promise((r) => setTimeout(r, 10));
      expect(order).toEqual([]);
    });
    await Promise.all(waiting);
    stop();
    expect(order).toEqual(['w1', 'w2', 'w3', 'w4']);
  });
});
