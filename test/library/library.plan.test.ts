import { type CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/connect.js';
import { libraryItemToRow } from '../../src/library/library.codec.js';
import { searchTokens } from '../../src/library/library.search.js';
import { bumpLibraryTotals, createLibrarySql } from '../../src/library/library.sql.js';
import type { LibraryItem, LibraryQuery } from '../../src/library/library.types.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';
import { explainPlan } from '../helpers/query-plans.js';

const PAGE_QUERIES: [string, LibraryQuery][] = [
  ['title', { tokens: [], sort: 'title', limit: 100 }],
  ['title after', { tokens: [], sort: 'title', limit: 100, after: { sort: 'title', key: 'm', seq: 5 } }],
  ['-title after', { tokens: [], sort: '-title', limit: 100, after: { sort: '-title', key: 'm', seq: 5 } }],
  ['createdAt after', { tokens: [], sort: 'createdAt', limit: 100, after: { sort: 'createdAt', key: '2025-01-01T00:00:00.000Z', seq: 5 } }],
  ['-createdAt', { tokens: [], sort: '-createdAt', limit: 100 }],
  ['kind title after', { tokens: [], kind: 'movie', sort: 'title', limit: 100, after: { sort: 'title', key: 'm', seq: 5 } }],
  ['kind -title', { tokens: [], kind: 'movie', sort: '-title', limit: 100 }],
  ['kind createdAt after', { tokens: [], kind: 'book', sort: 'createdAt', limit: 100, after: { sort: 'createdAt', key: '2025', seq: 1 } }],
  ['kind -createdAt', { tokens: [], kind: 'book', sort: '-createdAt', limit: 100 }],
];

const N = 6000;
const items: LibraryItem[] = Array.from({ length: N }, (_, i) => ({
  id: `x${i}`,
  kind: (['movie', 'series', 'music', 'book'] as const)[i % 4],
  title: i % 3 ? `Common Wörd ${i}` : `Rare ${i}`,
}));

for (const engine of sqlEngines()) {
  describe(`library query plans and large result sets (${engine})`, () => {
    let tdb: TestDatabase;
    let logged: Database;
    let captured: CompiledQuery[] = [];
    beforeAll(async () => {
      tdb = await createTestDatabase(engine);
      await tdb.db.kysely.transaction().execute(async (trx) => {
        for (let i = 0; i < N; i += 500) {
          await trx
            .insertInto('library_items')
            .values(
              items
                .slice(i, i + 500)
                .map((x, k) => ({ ...libraryItemToRow(x), created_at: new Date(Date.UTC(2025, 0, 1, 0, 0, Math.floor((i + k) / 10))).toISOString() })),
            )
            .execute();
        }
      });
      if (engine === 'sqlite') tdb.db.sqlite!.exec('analyze');
      else await sql`analyze library_items`.execute(tdb.db.kysely);
      logged = openDatabase(tdb.target, {
        log: (e) => {
          if (e.level === 'query') captured.push(e.query);
        },
      });
    });
    afterAll(async () => {
      await logged.close();
      await tdb.cleanup();
    });

    async function planOf(q: LibraryQuery): Promise<string> {
      captured = [];
      await createLibrarySql(logged.kysely, engine).query(q);
      const page = captured.find((c) => c.sql.includes('order by'))!;
      return (await explainPlan(tdb.db, page)).join(' | ');
    }

    for (const [name, q] of PAGE_QUERIES) {
      it(`pages by index without sorting (${name})`, async () => {
        const plan = await planOf(q);
        if (process.env.SHOW_PLANS) console.log(engine, name, plan);
        if (engine === 'sqlite') {
          expect(plan).toMatch(/USING INDEX (idx_library_|ux_library_kind_title)/);
          expect(plan).not.toContain('TEMP B-TREE');
        } else {
          expect(plan).toMatch(/Index Scan/);
          expect(plan).not.toMatch(/(^|\| *)(->\s*)?Sort|Seq Scan/);
        }
      });
    }

    it('pages a big match set (walking the sort index) in the right order, every item once', async () => {
      const store = createLibrarySql(tdb.db.kysely, engine);
      const expected = items
        .filter((x) => x.title.startsWith('Common'))
        .sort((a, b) => (a.title.toLowerCase() < b.title.toLowerCase() ? -1 : 1))
        .map((x) => x.id);
      for (const sort of ['title', '-title'] as const) {
        const seen: string[] = [];
        let after: LibraryQuery['after'];
        for (;;) {
          const page = await store.query({ tokens: searchTokens('comm word'), sort, limit: 500, after });
          // Over SEARCH_EXACT_MAX matches: an estimate, here the count (no write since).
          expect(page.total).toBe(expected.length);
          expect(page.totalIsEstimate).toBe(true);
          seen.push(...page.items.map((x) => x.id));
          if (!page.next) break;
          after = page.next;
        }
        expect(seen).toEqual(sort === 'title' ? expected : [...expected].reverse());
      }
      if (engine === 'sqlite') expect(await planOf({ tokens: searchTokens('comm'), sort: 'title', limit: 100 })).toContain('idx_library_title');
    });

    it('counts a total once for concurrent requests that miss the cache', async () => {
      const store = createLibrarySql(logged.kysely, engine);
      bumpLibraryTotals(logged.kysely);
      captured = [];
      const q: LibraryQuery = { tokens: [], kind: 'series', sort: '-createdAt', limit: 5 };
      const pages = await Promise.all(Array.from({ length: 20 }, () => store.query(q)));
      expect(new Set(pages.map((p) => p.total))).toEqual(new Set([N / 4]));
      expect(captured.filter((c) => /count\(\*\)/.test(c.sql))).toHaveLength(1);
      expect(captured.filter((c) => c.sql.includes('order by'))).toHaveLength(20);
    });

    it('caches totals until a write (store writes and bumpLibraryTotals invalidate)', async () => {
      const store = createLibrarySql(tdb.db.kysely, engine);
      const q: LibraryQuery = { tokens: searchTokens('rare'), kind: 'movie', sort: 'title', limit: 1 };
      const before = (await store.query(q)).total;
      await tdb.db.kysely
        .insertInto('library_items')
        .values(libraryItemToRow({ id: 'direct', kind: 'movie', title: 'Rare direct' }))
        .execute();
      bumpLibraryTotals(tdb.db.kysely);
      expect((await store.query(q)).total).toBe(before + 1);
      await store.create({ id: 'via-store', kind: 'movie', title: 'Rare via store' }, '2025-01-01T00:00:00.000Z');
      expect((await store.query(q)).total).toBe(before + 2);
      await store.remove('via-store');
      expect((await store.query(q)).total).toBe(before + 1);
    });
  });
}
