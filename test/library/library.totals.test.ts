/**
 * The cached totals and remembered search pages under concurrency (issue 18, library.totals.ts):
 * when an entry expires, the requests that ask meanwhile share ONE statement instead of each
 * running it (a page of `the` at 50 connections: 50 walks on a pool of 10, the p99), and an entry
 * that is still asked for is renewed in the background before it expires, so no request waits.
 */
import type { CompiledQuery } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Database, openDatabase } from '../../src/db/connect.js';
import { libraryItemToRow } from '../../src/library/library.codec.js';
import { searchTokens } from '../../src/library/library.search.js';
import { bumpLibraryTotals, createLibrarySql } from '../../src/library/library.sql.js';
import { TOTALS_REFRESH_MS, TOTALS_TTL_MS } from '../../src/library/library.totals.js';
import type { LibraryQuery } from '../../src/library/library.types.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';

/** Small bounds so a few hundred items take the common-word path (estimate, walk, remembered pages). */
const BOUNDS = { exactMax: 20, walkMinMatches: 40 };
const N = 300;

for (const engine of sqlEngines()) {
  describe(`library totals and remembered pages under concurrency (${engine})`, () => {
    let tdb: TestDatabase;
    let logged: Database;
    let captured: CompiledQuery[] = [];
    let offset = 0;
    const realNow = Date.now.bind(Date);
    beforeAll(async () => {
      tdb = await createTestDatabase(engine);
      const rows = Array.from({ length: N }, (_, i) =>
        libraryItemToRow({ id: `t${i}`, kind: 'movie', title: i % 3 === 0 ? `Rare ${i}` : `The Thing ${String(i).padStart(4, '0')}` }),
      );
      await tdb.db.kysely.insertInto('library_items').values(rows).execute();
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
    afterEach(() => {
      vi.restoreAllMocks();
      offset = 0;
    });
    const useClock = () => vi.spyOn(Date, 'now').mockImplementation(() => realNow() + offset);
    const walks = () => captured.filter((c) => /instr\(|strpos\(/.test(c.sql)).length;
    const counts = () => captured.filter((c) => /count\(\*\)/.test(c.sql)).length;
    const common: LibraryQuery = { tokens: searchTokens('the'), sort: 'title', limit: 10 };
    const plain: LibraryQuery = { tokens: [], sort: 'title', limit: 10 };

    it('concurrent requests for an expired common-word page and total run one walk and one count', async () => {
      useClock();
      bumpLibraryTotals(logged.kysely);
      const store = createLibrarySql(logged.kysely, engine, BOUNDS);
      const first = await store.query(common);
      expect(first.totalIsEstimate).toBe(true);
      offset = TOTALS_TTL_MS + 1;
      captured = [];
      const pages = await Promise.all(Array.from({ length: 12 }, () => store.query(common)));
      for (const p of pages) expect(p).toEqual(first);
      // One bounded count and one walk for the twelve (each request ran both before).
      expect(walks()).toBe(1);
      expect(counts()).toBe(1);
    });

    it('remembers a page of a rarer word (an exact total) too: read by primary key while valid, one statement for concurrent requests after', async () => {
      useClock();
      bumpLibraryTotals(logged.kysely);
      // 100 'Rare' items: under this exact bound, and too few to walk (the full-text page)
      const store = createLibrarySql(logged.kysely, engine, { exactMax: 200, walkMinMatches: 400 });
      const rare: LibraryQuery = { tokens: searchTokens('rare'), sort: 'title', limit: 5 };
      const textPages = () => captured.filter((c) => /library_items_fts|to_tsquery/.test(c.sql) && !/count\(\*\)/.test(c.sql)).length;
      const first = await store.query(rare);
      expect(first.total).toBe(100);
      expect(first.totalIsEstimate).toBeUndefined();
      expect(first.items.map((i) => i.title)).toEqual(['Rare 0', 'Rare 102', 'Rare 105', 'Rare 108', 'Rare 111']);
      captured = [];
      expect(await store.query(rare)).toEqual(first);
      expect(textPages()).toBe(0);
      offset = TOTALS_TTL_MS + 1;
      captured = [];
      const pages = await Promise.all(Array.from({ length: 8 }, () => store.query(rare)));
      for (const p of pages) expect(p).toEqual(first);
      expect(textPages()).toBe(1);
      // A write through the store forgets it: the next request sees the new item.
      await store.create({ id: 't-rare', kind: 'movie', title: 'Rare 00 New' }, '2025-01-01T00:00:00.000Z');
      const after = await store.query(rare);
      expect(after.total).toBe(101);
      expect(after.items[0]?.title).toBe('Rare 0');
      expect(after.items[1]?.title).toBe('Rare 00 New');
      await store.remove('t-rare');
    });

    it('renews a page and a total that are still asked for before they expire, without making a request wait', async () => {
      useClock();
      bumpLibraryTotals(logged.kysely);
      const store = createLibrarySql(logged.kysely, engine, BOUNDS);
      const first = await store.query(common);
      const firstPlain = await store.query(plain);
      // Asked again once TOTALS_REFRESH_MS old: answered from the entries (the page by primary key),
      // and one walk and one count each run behind the answer.
      offset = TOTALS_REFRESH_MS + 1;
      captured = [];
      expect(await store.query(common)).toEqual(first);
      expect(await store.query(plain)).toEqual(firstPlain);
      await vi.waitFor(() => expect(walks()).toBe(1));
      await vi.waitFor(() => expect(counts()).toBe(2));
      // Past the first entries' life: the renewed ones answer, with no count or walk in the request.
      offset = TOTALS_TTL_MS + 1;
      captured = [];
      expect(await store.query(common)).toEqual(first);
      expect(await store.query(plain)).toEqual(firstPlain);
      expect(walks()).toBe(0);
      expect(counts()).toBe(0);
    });

    it('a write during a renewal: the renewed value is not kept, and the next request sees the write', async () => {
      useClock();
      bumpLibraryTotals(logged.kysely);
      const store = createLibrarySql(logged.kysely, engine, BOUNDS);
      const before = await store.query(plain);
      offset = TOTALS_REFRESH_MS + 1;
      const renewing = store.query(plain);
      await store.create({ id: 't-new', kind: 'movie', title: 'AAA First' }, '2025-01-01T00:00:00.000Z');
      await renewing;
      // Whenever the renewal's count ends, it began before the write: it is not kept.
      await new Promise((r) => setTimeout(r, 50));
      const after = await store.query(plain);
      expect(after.total).toBe(before.total + 1);
      expect(after.items[0]?.id).toBe('t-new');
      await store.remove('t-new');
    });
  });
}
