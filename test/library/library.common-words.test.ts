/**
 * Search of a common word (issue 18 item 3): over the exact bound the total is an estimate
 * (`totalIsEstimate`) and pages walk the sort index with a per-row test; the pages are still the
 * same items in the same order as the full-text path, each once. Under the bound (a rare word)
 * the answer is exactly what it was: exact total, no flag.
 */
import { type CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Database, openDatabase } from '../../src/db/connect.js';
import { libraryItemToRow } from '../../src/library/library.codec.js';
import { ESTIMATE_TTL_MS, SEARCH_EXACT_MAX } from '../../src/library/library.count.sql.js';
import { foldForSearch, matchesTokens, searchTokens } from '../../src/library/library.search.js';
import { bumpLibraryTotals, createLibrarySql, type LibrarySql } from '../../src/library/library.sql.js';
import { LIBRARY_SORTS, type LibraryItem, type LibraryPage, type LibraryQuery } from '../../src/library/library.types.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin } from '../helpers/auth.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';

/** Small bounds so a few hundred items exercise both paths (the defaults are tested through the API). */
const BOUNDS = { exactMax: 60, walkMinMatches: 80 };
/** The full-text path with an exact total, whatever the number of matches (what every query did before). */
const FTS_ONLY = { exactMax: 1e9, walkMinMatches: 1e9 };

// Titles where the fold matters: accents, þ -> th, ß -> ss, separators, the word inside others.
const SHAPES = [
  (i: number) => `The Thing ${i}`,
  (i: number) => `Over-the-Top ${i}`,
  (i: number) => `Þe Saga ${i}`,
  (i: number) => `Théâtre ${i}`,
  (i: number) => `Northern Lights ${i}`,
  (i: number) => `Mother ${i}`,
  (i: number) => `Straße ${i}`,
  (i: number) => (i % 2 ? `Zebra ${i}` : `Mother ${i}`),
  (i: number) => `ÆON thé ${i}`,
];
const N = 630;
const items: LibraryItem[] = Array.from({ length: N }, (_, i) => ({
  id: `c${i}`,
  kind: (['movie', 'series', 'music', 'book'] as const)[i % 4],
  title: SHAPES[i % SHAPES.length]!(i),
}));
const matching = (q: string, kind?: string) =>
  items.filter((x) => (kind === undefined || x.kind === kind) && matchesTokens(foldForSearch(x.title), searchTokens(q))).map((x) => x.id);

async function walk(store: LibrarySql, q: Omit<LibraryQuery, 'after'>): Promise<{ ids: string[]; pages: LibraryPage[] }> {
  const ids: string[] = [];
  const pages: LibraryPage[] = [];
  let after: LibraryQuery['after'];
  for (;;) {
    const page = await store.query({ ...q, after });
    pages.push(page);
    ids.push(...page.items.map((x) => x.id));
    if (!page.next) return { ids, pages };
    after = page.next;
  }
}

for (const engine of sqlEngines()) {
  describe(`search of common words (${engine})`, () => {
    let tdb: TestDatabase;
    let logged: Database;
    let captured: CompiledQuery[] = [];
    beforeAll(async () => {
      tdb = await createTestDatabase(engine);
      await tdb.db.kysely
        .insertInto('library_items')
        .values(items.map((x, k) => ({ ...libraryItemToRow(x), created_at: new Date(Date.UTC(2025, 0, 1, 0, 0, Math.floor(k / 7))).toISOString() })))
        .execute();
      if (engine === 'postgres') await sql`analyze library_items`.execute(tdb.db.kysely);
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

    it('the data holds a common word (over both bounds) and a rare one', () => {
      expect(matching('the').length).toBeGreaterThan(BOUNDS.walkMinMatches);
      expect(matching('the', 'music').length).toBeGreaterThan(BOUNDS.walkMinMatches);
      expect(matching('zebra').length).toBeLessThanOrEqual(BOUNDS.exactMax);
    });

    for (const sort of LIBRARY_SORTS) {
      for (const kind of [undefined, 'music'] as const) {
        it(`a common word pages the same items as the full-text path, each once, total flagged (sort=${sort}, kind=${kind ?? 'any'})`, async () => {
          bumpLibraryTotals(tdb.db.kysely);
          const q = { tokens: searchTokens('the'), kind, sort, limit: 7 };
          const bounded = await walk(createLibrarySql(tdb.db.kysely, engine, BOUNDS), q);
          const exact = await walk(createLibrarySql(tdb.db.kysely, engine, FTS_ONLY), q);
          expect(bounded.ids).toEqual(exact.ids);
          expect(new Set(bounded.ids).size).toBe(bounded.ids.length);
          expect(new Set(bounded.ids)).toEqual(new Set(matching('the', kind)));
          for (const page of bounded.pages) {
            expect(page.totalIsEstimate).toBe(true);
            // No write since it was counted: the estimate is the count.
            expect(page.total).toBe(bounded.ids.length);
          }
          for (const page of exact.pages) expect(page).not.toHaveProperty('totalIsEstimate');
        });
      }
    }

    it('matches bunched in the sort order, or a window that ends before the page does: the same pages', async () => {
      // "thea" matches only the Théâtre titles, all together in title order.
      for (const word of ['thea', 'the']) {
        for (const sort of LIBRARY_SORTS) {
          const q = { tokens: searchTokens(word), sort, limit: 7 };
          const exact = await walk(createLibrarySql(tdb.db.kysely, engine, FTS_ONLY), q);
          for (const walkWindow of [3, 8, 40]) {
            const bounded = await walk(createLibrarySql(tdb.db.kysely, engine, { ...BOUNDS, walkMinMatches: 30, walkWindow }), q);
            expect(bounded.ids).toEqual(exact.ids);
          }
        }
      }
      expect(matching('thea').length).toBeGreaterThan(30);
    });

    it('a common word walks the sort index (no full-text look-up in the page query)', async () => {
      captured = [];
      await createLibrarySql(logged.kysely, engine, BOUNDS).query({ tokens: searchTokens('the'), sort: 'title', limit: 10 });
      const page = captured.find((c) => c.sql.includes('order by'))!;
      expect(page.sql).toContain(engine === 'sqlite' ? 'instr(' : 'strpos(');
      expect(page.sql).not.toMatch(/library_items_fts|to_tsquery/);
      // ... reading at most a window of it (5,000 rows by default).
      expect(page.parameters).toContain(5_000);
      // The count before it stops at the bound: it does not read every match.
      const counted = captured.filter((c) => /count\(\*\)/.test(c.sql));
      expect(counted.some((c) => c.parameters.includes(BOUNDS.exactMax + 1))).toBe(true);
    });

    it('a rare word answers exactly as before: exact total, no flag, the same pages', async () => {
      for (const sort of LIBRARY_SORTS) {
        const q = { tokens: searchTokens('zebra'), sort, limit: 4 };
        const bounded = await walk(createLibrarySql(tdb.db.kysely, engine, BOUNDS), q);
        const exact = await walk(createLibrarySql(tdb.db.kysely, engine, FTS_ONLY), q);
        expect(bounded.pages).toEqual(exact.pages);
        expect(bounded.pages[0]!.total).toBe(matching('zebra').length);
        for (const page of bounded.pages) expect(Object.keys(page).sort()).toEqual(['items', 'next', 'total']);
      }
    });

    it('between the exact bound and the walk: estimated total, pages from the full-text path', async () => {
      const store = createLibrarySql(tdb.db.kysely, engine, { exactMax: 10, walkMinMatches: 1e9 });
      const q = { tokens: searchTokens('mother'), sort: 'title' as const, limit: 9 };
      const { ids, pages } = await walk(store, q);
      expect(new Set(ids)).toEqual(new Set(matching('mother')));
      expect(pages.every((p) => p.totalIsEstimate === true && p.total === ids.length)).toBe(true);
    });

    it('remembers a walked page by its items, answers it again by primary key, and forgets it on writes', async () => {
      const store = createLibrarySql(logged.kysely, engine, BOUNDS);
      const q: LibraryQuery = { tokens: searchTokens('the'), sort: '-title', limit: 6 };
      const first = await store.query(q);
      captured = [];
      const again = await store.query(q);
      expect(again).toEqual(first);
      const pageSql = captured.filter((c) => /from "library_items"/.test(c.sql) && !/count\(\*\)/.test(c.sql));
      expect(pageSql).toHaveLength(1);
      expect(pageSql[0]!.sql).toContain(engine === 'sqlite' ? 'json_each' : 'any(cast');
      expect(pageSql[0]!.sql).not.toMatch(/instr\(|strpos\(/);
      // A write through the store shows at once ("þe zzz last" sorts first by -title: þ is past ASCII).
      await store.create({ id: 'hot-new', kind: 'book', title: 'Þe Zzz Last' }, '2025-03-01T00:00:00.000Z');
      const written = await store.query(q);
      expect(written.items[0]!.id).toBe('hot-new');
      expect(written.items.slice(1)).toEqual(first.items.slice(0, 5));
      // A row deleted behind the store's back (another connection): never answered from memory.
      await tdb.db.kysely.deleteFrom('library_items').where('id', '=', written.items[1]!.id).execute();
      const deleted = await store.query(q);
      expect(deleted.items.map((x) => x.id)).toEqual(['hot-new', ...first.items.slice(1).map((x) => x.id)]);
      await store.remove('hot-new');
      await tdb.db.kysely.insertInto('library_items').values(libraryItemToRow(first.items[0]!)).execute();
      bumpLibraryTotals(logged.kysely);
    });

    it('recounts an estimate in the background once it is ESTIMATE_TTL_MS old, and before answering at twice that', async () => {
      const store = createLibrarySql(tdb.db.kysely, engine, { exactMax: 10, walkMinMatches: 1e9 });
      const q: LibraryQuery = { tokens: searchTokens('strasse'), sort: 'title', limit: 3 };
      const n = matching('strasse').length;
      const realNow = Date.now.bind(Date);
      let offset = 0;
      const clock = vi.spyOn(Date, 'now').mockImplementation(() => realNow() + offset);
      try {
        expect((await store.query(q)).total).toBe(n);
        await store.create({ id: 's-new', kind: 'movie', title: 'Straße Neu' }, '2025-02-01T00:00:00.000Z');
        expect((await store.query(q)).total).toBe(n);
        offset = ESTIMATE_TTL_MS + 1_000;
        expect((await store.query(q)).total).toBe(n);
        await new Promise((r) => setTimeout(r, 200));
        expect((await store.query(q)).total).toBe(n + 1);
        await store.remove('s-new');
        offset += 2 * ESTIMATE_TTL_MS + 1_000;
        const late = await store.query(q);
        expect(late.total).toBe(n);
        expect(late.totalIsEstimate).toBe(true);
      } finally {
        clock.mockRestore();
      }
    });

    it('counts a common word fully once for concurrent requests, and keeps the estimate across writes', async () => {
      const key = { tokens: searchTokens('northern'), sort: 'title' as const, limit: 5 };
      const store = createLibrarySql(logged.kysely, engine, { exactMax: 10, walkMinMatches: 20 });
      bumpLibraryTotals(logged.kysely);
      captured = [];
      const pages = await Promise.all(Array.from({ length: 12 }, () => store.query(key)));
      const full = matching('northern').length;
      expect(new Set(pages.map((p) => p.total))).toEqual(new Set([full]));
      const counts = captured.filter((c) => /count\(\*\)/.test(c.sql));
      // One bounded count (limit 11) and one full count, not one per request.
      expect(counts).toHaveLength(2);
      // A write drops the bounded count (recounted up to the bound) but not the estimate: still
      // flagged, never below the bound, and no full recount for ESTIMATE_TTL_MS.
      await store.create({ id: 'n-new', kind: 'movie', title: 'Northern Exposure' }, '2025-02-01T00:00:00.000Z');
      captured = [];
      const after = await store.query(key);
      expect(after.totalIsEstimate).toBe(true);
      expect(after.total).toBe(full);
      expect(captured.filter((c) => /count\(\*\)/.test(c.sql))).toHaveLength(1);
      await store.remove('n-new');
    });
  });
}

for (const engine of sqlEngines()) {
  describe(`GET /api/library?q= of a common word (${engine})`, () => {
    let t: TestApp;
    let admin: { authorization: string };
    const common = SEARCH_EXACT_MAX + 25;
    beforeAll(async () => {
      t = await createTestApp({ engine, phase: 'db' });
      admin = bearer((await registerAdmin(t.app)).accessToken);
      const rows = Array.from({ length: common + 30 }, (_, i) =>
        libraryItemToRow({ id: `a${i}`, kind: 'movie', title: i < common ? `The Film ${String(i).padStart(5, '0')}` : `Rare ${i}` }),
      );
      for (let i = 0; i < rows.length; i += 500)
        await t.ctx.db.kysely
          .insertInto('library_items')
          .values(rows.slice(i, i + 500))
          .execute();
      bumpLibraryTotals(t.ctx.db.kysely);
    });
    afterAll(async () => t.close());

    const get = async (url: string) => {
      const res = await t.app.inject({ method: 'GET', url, headers: admin });
      expect(res.statusCode).toBe(200);
      return res.json<{ items: LibraryItem[]; total: number; totalIsEstimate?: boolean; nextCursor: string | null }>();
    };

    it('answers totalIsEstimate over the bound, and the v0.3 shape under it', async () => {
      const page = await get('/api/library?q=the&limit=500');
      expect(page.totalIsEstimate).toBe(true);
      expect(page.total).toBe(common);
      expect(Object.keys(page)).toEqual(['items', 'total', 'totalIsEstimate', 'nextCursor']);
      const ids = page.items.map((x) => x.id);
      let cursor = page.nextCursor;
      while (cursor) {
        const next = await get(`/api/library?q=the&limit=500&cursor=${encodeURIComponent(cursor)}`);
        expect(next.totalIsEstimate).toBe(true);
        ids.push(...next.items.map((x) => x.id));
        cursor = next.nextCursor;
      }
      expect(ids).toEqual(Array.from({ length: common }, (_, i) => `a${i}`));
      const rare = await get('/api/library?q=rare&limit=10');
      expect(Object.keys(rare)).toEqual(['items', 'total', 'nextCursor']);
      expect(rare.total).toBe(30);
    });
  });
}
