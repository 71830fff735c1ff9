/**
 * Single-row writes cost the same at any library size: every statement a library, wanted, grab or
 * verify-result write runs finds its rows through an index (never a scan of a history table), and
 * every foreign key to library_items has an index led by its column (a library delete sets or
 * deletes those links). Plans are read from the planners on a seeded database; no timing.
 */

import { type CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/connect.js';
import { createGrabsSql } from '../../src/grabs/grabs.sql.js';
import { libraryItemToRow } from '../../src/library/library.codec.js';
import { createLibrarySql } from '../../src/library/library.sql.js';
import { LIBRARY_KINDS } from '../../src/library/library.types.js';
import { createVerifySql } from '../../src/verify/verify.sql.js';
import { wantedItemToRow } from '../../src/wanted/wanted.codec.js';
import { createWantedSql } from '../../src/wanted/wanted.sql.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';
import { explainPlan } from '../helpers/query-plans.js';

const N = 4000;
const AT = '2025-01-01T00:00:00.000Z';

for (const engine of sqlEngines()) {
  describe(`write statements find their rows by index (${engine})`, () => {
    let tdb: TestDatabase;
    let logged: Database;
    let captured: CompiledQuery[] = [];

    beforeAll(async () => {
      tdb = await createTestDatabase(engine);
      const k = tdb.db.kysely;
      await k.transaction().execute(async (trx) => {
        for (let i = 0; i < N; i += 500) {
          const ids = Array.from({ length: 500 }, (_, j) => i + j);
          await trx
            .insertInto('library_items')
            .values(
              ids.map((n) => ({ ...libraryItemToRow({ id: `lib${n}`, kind: LIBRARY_KINDS[n % 4]!, title: `Item ${n}` }), created_at: AT, updated_at: AT })),
            )
            .execute();
          await trx
            .insertInto('grabs')
            .values(ids.map((n) => ({ key: `movie:lib${n}`, kind: 'movie', item_id: `lib${n}`, library_item_id: `lib${n}`, position: n, at: AT })))
            .execute();
          await trx
            .insertInto('verify_results')
            .values(ids.map((n) => ({ key: `movie:lib${n}`, kind: 'movie', item_id: `lib${n}`, library_item_id: `lib${n}`, position: n })))
            .execute();
          await trx
            .insertInto('wanted_items')
            .values(
              // Half of them name items the library does not hold (unlinked), as legacy lists do.
              ids.map((n) => ({
                ...wantedItemToRow(
                  {
                    id: n % 2 ? `lib${n}` : `gone${n}`,
                    kind: 'movies',
                    title: `Item ${n}`,
                    addedAt: AT,
                    ...(n % 3 ? { lastScan: { at: AT, found: 0, grabbed: 0 } } : {}),
                  },
                  undefined,
                  n,
                ),
                library_item_id: n % 2 ? `lib${n}` : null,
              })),
            )
            .execute();
        }
      });
      if (engine === 'sqlite') tdb.db.sqlite!.exec('analyze');
      else await sql`analyze`.execute(k);
      logged = openDatabase(tdb.target, {
        log: (e) => {
          if (e.level === 'query') captured.push(e.query);
        },
      });
    });
    afterAll(async () => {
      await logged?.close();
      await tdb?.cleanup();
    });

    /**
     * The plan of one captured statement, one line per node / step. PostgreSQL explains with
     * sequential scans, bitmap scans and sorts discouraged: a statement that can only be answered
     * by reading a whole table or index in some order shows that plan (at 1M rows its planner
     * picked such a walk for an `id = ? OR title...` filter; on a small table it does not).
     */
    const planOf = (q: CompiledQuery) => explainPlan(tdb.db, q, ['enable_seqscan', 'enable_bitmapscan', 'enable_sort']);

    /** Runs `write` through the logging handle and returns the plans of the statements it ran. */
    async function plansOf(write: (db: Database['kysely']) => Promise<unknown>): Promise<{ sql: string; plan: string[] }[]> {
      captured = [];
      await write(logged.kysely);
      const statements = captured.filter((c) => !/^\s*(begin|commit|rollback|savepoint|release|pragma)/i.test(c.sql));
      expect(statements.length).toBeGreaterThan(0);
      return Promise.all(statements.map(async (c) => ({ sql: c.sql, plan: await planOf(c) })));
    }

    /**
     * No statement reads a whole table (SQLite `SCAN <table>`, PostgreSQL `Seq Scan`), walks a
     * whole index (a PostgreSQL index scan without an `Index Cond`) or sorts rows it read, except
     * `sortsFew`: a sort of the handful of rows the index look-ups found.
     */
    function expectIndexed(plans: { sql: string; plan: string[] }[], opts: { sortsFew?: boolean } = {}) {
      for (const { sql: text, plan } of plans) {
        if (process.env.SHOW_PLANS) console.log(engine, text, '\n  ', plan.join(' | '));
        const joined = plan.join(' | ');
        if (engine === 'sqlite') {
          expect(joined, text).not.toMatch(/(^|\| )SCAN (library_items|grabs|verify_results|wanted_items)\b/);
          if (!opts.sortsFew) expect(joined, text).not.toContain('TEMP B-TREE');
          continue;
        }
        expect(joined, text).not.toMatch(/Seq Scan|Bitmap/);
        if (!opts.sortsFew) expect(joined, text).not.toMatch(/(^|\| *)(->\s*)?Sort\b/);
        plan.forEach((line, i) => {
          if (!/Index (Only )?Scan/.test(line)) return;
          const next = plan.slice(i + 1).findIndex((l) => l.includes('->'));
          const details = plan.slice(i + 1, next < 0 ? undefined : i + 1 + next);
          expect(details.join(' | '), `${text}: ${line}`).toContain('Index Cond');
        });
      }
    }

    it('every foreign key to library_items has an index led by its column', async () => {
      const links =
        engine === 'sqlite'
          ? ((
              await sql<{ t: string; c: string }>`
              select m.name as t, f."from" as c from sqlite_master m, pragma_foreign_key_list(m.name) f
              where m.type = 'table' and f."table" = 'library_items'`.execute(tdb.db.kysely)
            ).rows as { t: string; c: string }[])
          : (
              await sql<{ t: string; c: string }>`
              select c.conrelid::regclass::text as t, a.attname as c from pg_constraint c
              join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
              where c.contype = 'f' and c.confrelid = 'library_items'::regclass`.execute(tdb.db.kysely)
            ).rows;
      expect(links.map((l) => l.t).sort()).toEqual(['grabs', 'verify_jobs', 'verify_results', 'wanted_items']);
      for (const { t, c } of links) {
        const leading =
          engine === 'sqlite'
            ? (
                await sql<{ c: string }>`select i.name as c from pragma_index_list(${t}) l, pragma_index_info(l.name) i where i.seqno = 0`.execute(
                  tdb.db.kysely,
                )
              ).rows.map((r) => r.c)
            : (
                await sql<{ c: string }>`
                select a.attname as c from pg_index x join pg_attribute a on a.attrelid = x.indrelid and a.attnum = x.indkey[0]
                where x.indrelid = ${t}::regclass`.execute(tdb.db.kysely)
              ).rows.map((r) => r.c);
        expect(leading, `${t}.${c}`).toContain(c);
      }
    });

    it('a library delete unlinks through those indexes', async () => {
      // What the ON DELETE SET NULL actions run, per referencing table.
      for (const t of ['grabs', 'verify_results', 'wanted_items'] as const) {
        const plans = await plansOf((db) => db.updateTable(t).set({ library_item_id: null }).where('library_item_id', '=', 'lib7').execute());
        expectIndexed(plans);
      }
      const plans = await plansOf((db) => createLibrarySql(db, engine).remove('lib9'));
      expectIndexed(plans);
      expect(
        (await tdb.db.kysely.selectFrom('grabs').select('library_item_id').where('key', '=', 'movie:lib9').executeTakeFirstOrThrow()).library_item_id,
      ).toBeNull();
    });

    it('adding, patching and reading a library item by id or title', async () => {
      expectIndexed(await plansOf((db) => createLibrarySql(db, engine).create({ id: 'gone10', kind: 'movie', title: 'Brand New' }, AT)));
      // The wanted entry that named the new id got its link.
      expect(
        (await tdb.db.kysely.selectFrom('wanted_items').select('library_item_id').where('item_id', '=', 'gone10').executeTakeFirstOrThrow()).library_item_id,
      ).toBe('gone10');
      expectIndexed(await plansOf((db) => createLibrarySql(db, engine).patch('lib3990', { posterUrl: 'https://img.example/p.jpg' }, AT)));
      expectIndexed(await plansOf((db) => createLibrarySql(db, engine).patch('lib3991', { title: 'Renamed' }, AT)));
      // The first match of the id and the first of the title: at most two rows to order.
      expectIndexed(await plansOf((db) => createLibrarySql(db, engine).findByIdOrTitle('Item 3992')), { sortsFew: true });
      expect((await createLibrarySql(tdb.db.kysely, engine).findByIdOrTitle('lib3993'))?.title).toBe('Item 3993');
      expect((await createLibrarySql(tdb.db.kysely, engine).findByIdOrTitle('Item 3993'))?.id).toBe('lib3993');
      // An id and an earlier item's title: the earlier item (insertion order), as before.
      await createLibrarySql(tdb.db.kysely, engine).create({ id: 'Item 5', kind: 'book', title: 'Named like item 5' }, AT);
      expect((await createLibrarySql(tdb.db.kysely, engine).findByIdOrTitle('Item 5'))?.id).toBe('lib5');
    });

    it('recording a grab or a verify result under a new key (it goes last)', async () => {
      expectIndexed(await plansOf((db) => createGrabsSql(db, tdb.db.engine).put('movie:fresh', { kind: 'movie', id: 'fresh', title: 'Fresh', at: AT })));
      expectIndexed(await plansOf((db) => createVerifySql(db).putResult('movie:fresh', { kind: 'movie', id: 'fresh', phase: 'done' })));
      const grabs = await tdb.db.kysely.selectFrom('grabs').select(['key', 'position']).orderBy('position', 'desc').limit(1).executeTakeFirstOrThrow();
      expect(grabs).toEqual({ key: 'movie:fresh', position: N });
    });

    it('adding and removing a wanted item, and the sweep by search age', async () => {
      expectIndexed(await plansOf((db) => createWantedSql(db, tdb.db.engine).add({ id: 'fresh', kind: 'movies', title: 'Fresh', addedAt: AT })));
      expectIndexed(await plansOf((db) => createWantedSql(db, tdb.db.engine).remove('movies', 'fresh')));
      const store = createWantedSql(tdb.db.kysely, tdb.db.engine);
      const first = await store.listBySearchAge(null, 100);
      expectIndexed(await plansOf((db) => createWantedSql(db, tdb.db.engine).listBySearchAge(first.next, 100)));
      // The sweep still visits every item once, least recently searched first.
      const seen: string[] = [];
      let after: string | null = null;
      do {
        const batch = await store.listBySearchAge(after, 700);
        seen.push(...batch.items.map((i) => `${i.lastScan?.at ?? ''}|${i.id}`));
        after = batch.next;
      } while (after !== null);
      expect(seen).toHaveLength(new Set(seen).size);
      expect(seen.length).toBe(await store.count());
      expect(seen.slice(0, 2).every((s) => s.startsWith('|'))).toBe(true);
      expect(seen.at(-1)!.startsWith(AT)).toBe(true);
    });
  });
}
