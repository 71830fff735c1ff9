import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createImportSql } from '../../src/migration/import.sql.js';
import { HashedKeySet, hash64 } from '../../src/migration/key-set.js';
import { importLibrary, type LibraryImportResult } from '../../src/migration/library-import.js';
import { readSnapshot } from '../../src/migration/snapshot.js';
import { verifyAgainstDatabase } from '../../src/migration/verify.js';
import { createSecretBox } from '../../src/security/secret-box.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';

type Item = { id: string; kind: string; title: string };

/** Runs the library import of `items` in a transaction and returns its result and the rows in seq order. */
async function load(t: TestDatabase, items: Item[]): Promise<{ result: LibraryImportResult; rows: { id: string; title: string }[] }> {
  const dir = join(t.dir, `lib-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'library.json'), JSON.stringify({ items }));
  let result!: LibraryImportResult;
  await t.db.kysely.transaction().execute(async (trx) => {
    result = await importLibrary({ sql: createImportSql(trx, t.db.engine), dir, present: true, importTime: '2026-01-01T00:00:00.000Z', worker: false });
  });
  const rows = await t.db.kysely.selectFrom('library_items').select(['id', 'title']).orderBy('seq').execute();
  return { result, rows };
}

const reasons = (r: LibraryImportResult) => r.quarantine.map((q) => [q.locator, q.reason.replace(/:.*/, '')]);

for (const engine of sqlEngines()) {
  describe(`library bulk load: titles checked without the unique index (${engine})`, () => {
    let t: TestDatabase | undefined;
    afterEach(async () => {
      await t?.cleanup();
      t = undefined;
    });

    it('sets a repeated title aside and quarantines it naming the first item; file order kept; the index is back', async () => {
      t = await createTestDatabase(engine);
      const { result, rows } = await load(t, [
        { id: 'x1', kind: 'movie', title: 'Gamma' },
        { id: 'y2', kind: 'movie', title: 'GAMMA' }, // same kind + title (toLowerCase): quarantined, takes nothing
        { id: 'y2', kind: 'movie', title: 'Delta' }, // so its id is still free here
        { id: 'z3', kind: 'series', title: 'gamma' }, // another kind: a different title
        { id: 'w4', kind: 'movie', title: 'Gamma' },
      ]);
      expect(result.mode).toBe('bulk');
      expect(rows.map((r) => r.id)).toEqual(['x1', 'y2', 'z3']);
      expect(rows[1]!.title).toBe('Delta');
      expect(reasons(result)).toEqual([
        ['/items/1', 'duplicate title'],
        ['/items/4', 'duplicate title'],
      ]);
      expect(result.quarantine[0]!.reason).toContain('"x1"');
      expect(JSON.parse(result.quarantine[0]!.raw)).toEqual({ id: 'y2', kind: 'movie', title: 'GAMMA' });
      // the unique title index is back and enforced
      await expect(
        t.db.kysely
          .insertInto('library_items')
          .values({ id: 'n5', kind: 'movie', title: 'gamma', title_lower: 'gamma', search_text: 'gamma' } as never)
          .execute(),
      ).rejects.toThrow();
    });

    it('a repeated title whose first holder was refused for its id is decided by the merge, as a re-import would', async () => {
      t = await createTestDatabase(engine);
      const items = [
        { id: 'a1', kind: 'movie', title: 'Alpha' },
        { id: 'a1', kind: 'movie', title: 'Beta' }, // duplicate id: refused, so "beta" is not taken
        { id: 'c3', kind: 'movie', title: 'beta' }, // looked taken while loading; it is not: imported
        { id: 'd4', kind: 'movie', title: 'ALPHA' },
      ];
      const { result, rows } = await load(t, items);
      expect(result.mode).toBe('merge');
      expect(rows.map((r) => r.id)).toEqual(['a1', 'c3']);
      expect(reasons(result)).toEqual([
        ['/items/1', 'duplicate id'],
        ['/items/3', 'duplicate title'],
      ]);
      // the same file again (merge mode on a full table) gives the same rows and the same verdicts
      const again = await load(t, items);
      expect(again.result.mode).toBe('merge');
      expect(again.rows).toEqual(rows);
      expect(again.result.quarantine).toEqual(result.quarantine);
      expect(again.result.inserted + again.result.updated + again.result.deleted).toBe(0);
    });

    it('an id taken only later in the file does not make an earlier repeated title an id duplicate', async () => {
      t = await createTestDatabase(engine);
      const { result, rows } = await load(t, [
        { id: 'p1', kind: 'book', title: 'Dune' },
        { id: 'q2', kind: 'book', title: 'dune' }, // title duplicate of p1 (its id q2 is taken later, by the next item)
        { id: 'q2', kind: 'book', title: 'Emma' },
      ]);
      expect(result.mode).toBe('bulk');
      expect(rows.map((r) => r.id)).toEqual(['p1', 'q2']);
      expect(reasons(result)).toEqual([['/items/1', 'duplicate title']]);
      expect(result.quarantine[0]!.reason).toContain('"p1"');
    });
  });
}

for (const engine of sqlEngines()) {
  describe(`library bulk load: the created_at indexes while rows come in (${engine})`, () => {
    let t: TestDatabase | undefined;
    afterEach(async () => {
      await t?.cleanup();
      t = undefined;
    });

    /** Loads `items`, counting how often the load set the created_at indexes aside. */
    async function loadCounting(items: Item[]): Promise<{ setAside: number; result: LibraryImportResult }> {
      const dir = join(t!.dir, 'lib');
      mkdirSync(dir);
      writeFileSync(join(dir, 'library.json'), JSON.stringify({ items }));
      let setAside = 0;
      let result!: LibraryImportResult;
      await t!.db.kysely.transaction().execute(async (trx) => {
        const sql = createImportSql(trx, t!.db.engine);
        const suspend = sql.suspendLibraryIndexes;
        sql.suspendLibraryIndexes = async () => {
          const s = await suspend();
          return { restore: s.restore, setAsideRest: async () => void (setAside++, await s.setAsideRest()) };
        };
        result = await importLibrary({ sql, dir, present: true, importTime: '2026-01-01T00:00:00.000Z', worker: false });
      });
      return { setAside, result };
    }

    async function expectIndexesServe(count: number): Promise<void> {
      const first = await t!.db.kysely.selectFrom('library_items').select(['id', 'created_at']).orderBy('created_at').orderBy('seq').limit(3).execute();
      expect(first).toHaveLength(3);
      const movies = await t!.db.kysely
        .selectFrom('library_items')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('kind', '=', 'movie')
        .where('created_at', '>=', '2024-01-01T00:00:00.000Z')
        .executeTakeFirst();
      expect(Number(movies!.n)).toBe(count);
      if (t!.db.engine === 'sqlite') {
        const names = t!.db
          .sqlite!.prepare(`select name from sqlite_master where tbl_name = 'library_items' and type = 'index' and name like 'idx_library_%created_at'`)
          .pluck()
          .all();
        expect(names.sort()).toEqual(['idx_library_created_at', 'idx_library_kind_created_at']);
        expect(t!.db.sqlite!.pragma('integrity_check', { simple: true })).toBe('ok');
      }
    }

    const timed = (i: number): Item => ({ id: `${(Date.UTC(2024, 0, 1) + i * 1000).toString(36)}abcde`, kind: 'movie', title: `Title ${i}` });

    it('keeps them up for a file in creation order, items without a time in their id included', async () => {
      t = await createTestDatabase(engine);
      // every 150th id holds no time (created_at = the import time, later than all): under 1% out of order
      const items = Array.from({ length: 12_000 }, (_, i) => (i % 150 === 7 ? { id: `custom-${i}`, kind: 'movie', title: `Custom ${i}` } : timed(i)));
      const { setAside, result } = await loadCounting(items);
      expect(result.mode).toBe('bulk');
      expect(result.inserted).toBe(12_000);
      expect(setAside).toBe(0);
      await expectIndexesServe(12_000);
    });

    it('sets them aside for a file in another order, and builds them at the end', async () => {
      t = await createTestDatabase(engine);
      const items = Array.from({ length: 12_000 }, (_, i) => timed((i * 7919) % 12_000)); // a permutation
      const { setAside, result } = await loadCounting(items);
      expect(result.inserted).toBe(12_000);
      expect(setAside).toBe(1);
      await expectIndexesServe(12_000);
    });
  });
}

describe('library bulk load: the full-text rebuild (SQLite)', () => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });

  const hashsize = () => t!.db.sqlite!.prepare(`select v from library_items_fts_config where k = 'hashsize'`).pluck().get();
  const found = (word: string) =>
    t!.db.sqlite!.prepare(`select count(*) from library_items_fts where library_items_fts match ?`).pluck().get(`"${word}"*`) as number;

  it('builds the indexes with sorter threads and the full text with more pending-term memory; both settings put back', async () => {
    t = await createTestDatabase('sqlite');
    const items = Array.from({ length: 3000 }, (_, i) => ({ id: `i${i}`, kind: 'movie', title: `${i % 3 === 0 ? 'Zebra' : 'Quokka'} number ${i}` }));
    const rebuilds: unknown[] = [];
    const stop = t.db.observeQueries((e) => {
      if (/'hashsize'|PRAGMA threads =/.test(e.query.sql)) rebuilds.push(e.query.sql);
    });
    expect(t.db.sqlite!.pragma('threads', { simple: true })).toBe(0);
    await load(t, items);
    stop();
    expect(rebuilds.some((q) => String(q).includes(String(16 * 2 ** 20)))).toBe(true);
    expect(rebuilds).toContain('PRAGMA threads = 2');
    expect(t.db.sqlite!.pragma('threads', { simple: true })).toBe(0); // the connection's own setting again
    expect(hashsize()).toBe(2 ** 20); // FTS5's default, as it was
    expect(found('zebra')).toBe(1000);
    expect(found('quokka')).toBe(2000);
    expect(t.db.sqlite!.pragma('integrity_check', { simple: true })).toBe('ok');

    await t.db.kysely.deleteFrom('library_items').execute();
    t.db.sqlite!.exec(`insert into library_items_fts(library_items_fts, rank) values ('hashsize', 2097152)`);
    await load(t, items.slice(0, 30));
    expect(hashsize()).toBe(2097152);
    expect(found('zebra')).toBe(10);
  });
});

for (const engine of sqlEngines()) {
  describe(`library read-back digest (${engine})`, () => {
    let t: TestDatabase | undefined;
    afterEach(async () => {
      await t?.cleanup();
      t = undefined;
    });

    it('matches what was written; a row changed before the check is named by the record-by-record fallback', async () => {
      t = await createTestDatabase(engine);
      const dir = join(t.dir, 'legacy');
      mkdirSync(dir);
      const items = Array.from({ length: 1200 }, (_, i) => ({
        id: `it${i}`,
        kind: i % 2 ? 'movie' : 'series',
        title: `Título ${i}`,
        year: 1990 + (i % 30),
        // keys out of jsonb's order (shorter first): PostgreSQL gives them back reordered
        metadata: { originalFilename: `f${i}.mkv`, z: 'ü', n: i, ratio: i / 7, huge: 1e21 + i, tiny: 1.5e-7, tags: ['a\tb', { yy: 1, x: null }] },
        ...(i % 3 === 0 ? { fileSize: 1000 + i, unknownKey: { b: 1, a: [true] } } : {}),
      }));
      writeFileSync(join(dir, 'library.json'), JSON.stringify({ items }));
      const snapshot = await readSnapshot({ dir, legacyKey: undefined, worker: false });
      const box = createSecretBox('digest-test-key-0123456789abcdef');
      await t.db.kysely.transaction().execute(async (trx) => {
        const sql = createImportSql(trx, t!.db.engine);
        const result = await importLibrary({ sql, dir, present: true, importTime: '2026-01-01T00:00:00.000Z', worker: false });
        expect(result.digest.of).toBe(engine === 'sqlite' ? 'rows' : 'pg-rows');
        // SQLite: summed by the aggregate inside SQLite (given the handle) and by reading the rows back (without)
        const handles = engine === 'sqlite' ? [t!.db.sqlite, undefined] : [undefined];
        const check = (sqlite: (typeof handles)[number]) =>
          verifyAgainstDatabase({ kysely: trx, engine: t!.db.engine, dir, snapshot, open: box, libraryDigest: result.digest, sqlite });
        const statements: string[] = [];
        const stop = t!.db.observeQueries((e) => statements.push(e.query.sql));
        for (const sqlite of handles) expect(await check(sqlite)).toMatchObject({ checked: 1200, mismatches: [], libraryByDigest: true });
        stop();
        const summedInSqlite = statements.filter((s) => s.includes('mediaos_rows_digest(')).length;
        expect(summedInSqlite).toBe(engine === 'sqlite' ? 1 : 0);
        await trx
          .updateTable('library_items')
          .set({ title: 'Tampered' } as never)
          .where('id', '=', 'it700')
          .execute();
        for (const sqlite of handles) {
          const tampered = await check(sqlite);
          expect(tampered.libraryByDigest).toBe(false);
          expect(tampered.mismatches).toEqual([{ file: 'library.json', locator: '/items/700', field: 'title', problem: 'value differs' }]);
        }
      });
    });
  });
}

describe('HashedKeySet', () => {
  it('remembers every key it was given across growth, and only those (for distinct hashes)', () => {
    const set = new HashedKeySet(4);
    const keys = Array.from({ length: 50_000 }, (_, i) => `movie\u0000title ${i} é ${i % 7}`);
    for (const k of keys) expect(set.add(k)).toBe(true);
    expect(set.size).toBe(keys.length);
    for (const k of keys) expect(set.has(k)).toBe(true);
    expect(set.add(keys[123]!)).toBe(false);
    let misses = 0;
    for (let i = 0; i < 50_000; i++) if (!set.has(`series\u0000title ${i} é ${i % 7}`)) misses++;
    expect(misses).toBe(50_000);
    expect(hash64('')).not.toEqual([0, 0]);
    expect(hash64('ab')).not.toEqual(hash64('ba'));
  });
});
