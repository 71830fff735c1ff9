import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseTarget, loadConfig } from '../../src/config.js';
import { compileOnce, compileUnprepared } from '../../src/db/compiled.js';
import type { Database } from '../../src/db/connect.js';
import { createSessionsSql } from '../../src/sessions/sessions.sql.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';

// On PostgreSQL the statements compileOnce builds run as named prepared statements (planned once
// per connection); other SQL and compileUnprepared's statements do not.
describe.runIf(sqlEngines().includes('postgres'))('prepared statements (postgres)', () => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });

  /** One pool connection, so the statement list read afterwards is the connection the queries used. */
  async function open(opts: { pgPrepared?: boolean } = {}): Promise<Database> {
    t = await createTestDatabase('postgres', { target: { pgPoolMax: 1, ...opts } });
    return t.db;
  }

  const preparedOnConnection = async (d: Database) =>
    (await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements order by name`.execute(d.kysely)).rows;

  it('runs compileOnce statements as named prepared statements, with each call’s values', async () => {
    const d = await open();
    const k = d.kysely;
    await k
      .insertInto('library_items')
      .values([
        { id: 'a', kind: 'movie', title: 'A', title_lower: 'a', search_text: 'a' },
        { id: 'b', kind: 'series', title: 'B', title_lower: 'b', search_text: 'b' },
      ] as never)
      .execute();
    expect(await preparedOnConnection(d)).toEqual([]);
    const run = compileOnce(k, 1, (slot) => k.selectFrom('library_items').select('id').where('kind', '=', slot<'movie' | 'series'>(0)));
    expect((await run(['movie'])).rows).toEqual([{ id: 'a' }]);
    expect((await run(['series'])).rows).toEqual([{ id: 'b' }]);
    const prepared = await preparedOnConnection(d);
    expect(prepared).toHaveLength(1);
    expect(prepared[0].name).toMatch(/^mediaos_q\d+$/);
    expect(prepared[0].statement).toContain('from "library_items" where "kind" = $1');

    // The session check of every authenticated request is one of them.
    const sessions = createSessionsSql(k);
    expect(await sessions.getWithUser('no-such-session', 'no-such-user')).toBeUndefined();
    expect((await preparedOnConnection(d)).some((p) => p.statement.includes('"sessions"'))).toBe(true);
  });

  it('leaves other SQL and compileUnprepared statements unprepared', async () => {
    const d = await open();
    const k = d.kysely;
    // (SQL text that some compileOnce made, in this process, is prepared however it is run.)
    await k.selectFrom('library_items').select(['id', 'kind']).where('kind', '=', 'movie').execute();
    const run = compileUnprepared(k, 1, (slot) => k.selectFrom('library_items').select('id').where('title_lower', '=', slot<string>(0)));
    expect((await run(['x'])).rows).toEqual([]);
    expect(await preparedOnConnection(d)).toEqual([]);
  });

  it('prepares nothing with MEDIAOS_PG_PREPARED=false (a pooler that cannot keep prepared statements)', async () => {
    const pgPrepared = databaseTarget(loadConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/y', MEDIAOS_PG_PREPARED: 'false' })).pgPrepared;
    expect(pgPrepared).toBe(false);
    expect(databaseTarget(loadConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/y' })).pgPrepared).toBe(true);
    const d = await open({ pgPrepared });
    const k = d.kysely;
    const run = compileOnce(k, 1, (slot) => k.selectFrom('library_items').select(['id', 'title']).where('kind', '=', slot<'movie' | 'series'>(0)));
    expect((await run(['movie'])).rows).toEqual([]);
    expect(await createSessionsSql(k).getWithUser('no-such-session', 'no-such-user')).toBeUndefined();
    expect(await preparedOnConnection(d)).toEqual([]);
  });

  // compileOnce's statements take pg's rows as arrays and build the objects themselves (statement-events.ts, objectRows).
  it('answers compileOnce rows as Kysely does: same values and types, later duplicate names win, columns of a changed `select *`', async () => {
    const d = await open();
    const k = d.kysely;
    await k
      .insertInto('library_items')
      .values({ id: 'a', kind: 'movie', title: 'A', title_lower: 'a', search_text: 'a', year: 1999, file_size: 2 ** 40, metadata: '{"k":[1]}' } as never)
      .execute();
    const build = (slot: <T>(i: number) => T) =>
      k.selectFrom('library_items').select(['id', 'year', 'file_size', 'metadata', 'extra', 'seq']).where('kind', '=', slot<'movie'>(0));
    const viaKysely = await k.selectFrom('library_items').select(['id', 'year', 'file_size', 'metadata', 'extra', 'seq']).where('kind', '=', 'movie').execute();
    const rows = (await compileOnce(k, 1, build)(['movie'])).rows;
    expect(rows).toEqual(viaKysely);
    expect(rows).toEqual([{ id: 'a', year: 1999, file_size: 2 ** 40, metadata: '{"k": [1]}', extra: null, seq: expect.any(Number) }]);
    const odd = compileOnce(k, 0, () => sql<Record<string, unknown>>`select 1 as x, 2 as x, 3 as "__proto__"`);
    const [row] = (await odd([])).rows;
    expect(row.x).toBe(2);
    expect(Object.hasOwn(row, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    // An unprepared `select *` sees a column added since its last run.
    const star = compileUnprepared(k, 0, () => sql<Record<string, unknown>>`select * from library_items where id = 'a'`);
    expect(Object.keys((await star([])).rows[0])).not.toContain('added');
    await sql`alter table library_items add column added integer default 7`.execute(k);
    expect((await star([])).rows[0]).toMatchObject({ id: 'a', added: 7 });
  });
});
