import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLibrarySql } from '../../src/library/library.sql.js';
import { wantedItemToRow } from '../../src/wanted/wanted.codec.js';
import { createWantedJson } from '../../src/wanted/wanted.json.js';
import { createWantedSql } from '../../src/wanted/wanted.sql.js';
import type { WantedStore } from '../../src/wanted/wanted.store.js';
import type { WantedItem } from '../../src/wanted/wanted.types.js';
import { createTestDatabase, sqlEngines, type TestDatabase, tempDir } from '../helpers/engines.js';

type Engine = 'sqlite' | 'postgres' | 'json';
const engines: Engine[] = [...sqlEngines(), 'json'];

for (const engine of engines) {
  describe(`wanted store (${engine})`, () => {
    let store: WantedStore;
    let tdb: TestDatabase | undefined;
    let dir: string;
    let cleanup: () => Promise<void> | void;
    beforeAll(async () => {
      if (engine === 'json') {
        const t = tempDir();
        dir = t.dir;
        store = createWantedJson({ configDir: dir });
        cleanup = t.cleanup;
      } else {
        tdb = await createTestDatabase(engine);
        dir = tdb.dir;
        store = createWantedSql(tdb.db.kysely, tdb.db.engine);
        cleanup = () => tdb!.cleanup();
      }
    });
    afterAll(async () => cleanup());

    const a: WantedItem = { id: 'lib1', title: 'Heat', kind: 'movies', addedAt: '2025-01-01T00:00:00.000Z' };
    const b: WantedItem = { id: 'lib1', title: 'Heat', kind: 'movie', addedAt: '2025-01-01T00:00:01.000Z' };
    const c: WantedItem = { id: 'x9', title: 'Ame\u0301lie 🎬', kind: 'books', addedAt: '2025-01-01T00:00:02.000Z' };

    it('adds in order and dedupes on kind + id (the first entry stays)', async () => {
      expect(await store.add(a)).toBe(true);
      expect(await store.add(b)).toBe(true); // other kind string: another entry (legacy)
      expect(await store.add({ ...a, title: 'changed', addedAt: '2030-01-01T00:00:00.000Z' })).toBe(false);
      expect(await store.add(c)).toBe(true);
      expect(await store.list()).toEqual([a, b, c]);
    });

    it('reads the list in batches, in list order, with a cursor that ends in null', async () => {
      const all = await store.list();
      for (const size of [1, 2, all.length, all.length + 5]) {
        const seen: WantedItem[] = [];
        let after: string | null = null;
        let rounds = 0;
        do {
          const batch = await store.listBatch(after, size);
          expect(batch.items.length).toBeLessThanOrEqual(size);
          seen.push(...batch.items);
          after = batch.next;
          rounds += 1;
        } while (after !== null && rounds < 50);
        expect(seen).toEqual(all);
      }
      await expect(store.listBatch('not a cursor', 2)).rejects.toThrow(/cursor: not a cursor of the wanted list/);
    });

    it('records scans and keeps other keys', async () => {
      const scan = { at: '2025-01-02T00:00:00.000Z', found: 0, grabbed: 0 };
      await store.recordScans([
        { kind: 'movies', id: 'lib1', lastScan: scan },
        { kind: 'nope', id: 'nope', lastScan: scan },
      ]);
      expect(await store.list()).toEqual([{ ...a, lastScan: scan }, b, c]);
    });

    it('reads the items least recently searched first (never searched first), in batches with a cursor that ends in null', async () => {
      const older = { at: '2025-01-01T12:00:00.000Z', found: 1, grabbed: 0 };
      await store.recordScans([{ kind: 'movie', id: 'lib1', lastScan: older }]); // (removed and re-added below: the scan goes with it)
      const expected = ['books:x9', 'movie:lib1', 'movies:lib1']; // never, 2025-01-01, 2025-01-02
      for (const size of [1, 2, 3, 10]) {
        const seen: string[] = [];
        let after: string | null = null;
        let rounds = 0;
        do {
          const batch = await store.listBySearchAge(after, size);
          expect(batch.items.length).toBeLessThanOrEqual(size);
          seen.push(...batch.items.map((i) => `${i.kind}:${i.id}`));
          after = batch.next;
          rounds += 1;
        } while (after !== null && rounds < 50);
        expect(seen).toEqual(expected);
      }
      expect((await store.listBySearchAge(null, 2)).items).toEqual([c, { ...b, lastScan: older }]);
      await expect(store.listBySearchAge('not a cursor', 2)).rejects.toThrow(/cursor: not a cursor of the wanted list by search age/);
    });

    it('removes by kind + id; absent is not an error', async () => {
      expect(await store.remove('movie', 'lib1')).toBe(true);
      expect(await store.remove('movie', 'lib1')).toBe(false);
      expect((await store.list()).map((i) => `${i.kind}:${i.id}`)).toEqual(['movies:lib1', 'books:x9']);
      expect(await store.add(b)).toBe(true); // re-added at the end
      expect((await store.list()).map((i) => `${i.kind}:${i.id}`)).toEqual(['movies:lib1', 'books:x9', 'movie:lib1']);
    });

    if (engine === 'json') {
      it('writes the legacy file', () => {
        const doc = JSON.parse(readFileSync(join(dir, 'wanted.json'), 'utf8')) as { items: WantedItem[] };
        expect(doc.items.map((i) => Object.keys(i))).toEqual([
          ['id', 'title', 'kind', 'addedAt', 'lastScan'],
          ['id', 'title', 'kind', 'addedAt'],
          ['id', 'title', 'kind', 'addedAt'],
        ]);
      });
    } else {
      it('links wanted rows to an existing library item; deleting the item leaves the entry', async () => {
        const k = tdb!.db.kysely;
        const link = async () =>
          (await k.selectFrom('wanted_items').select(['kind', 'library_item_id']).where('item_id', '=', 'lib1').orderBy('kind').execute()).map(
            (r) => r.library_item_id,
          );
        expect(await link()).toEqual([null, null]);
        const lib = createLibrarySql(k, engine as 'sqlite' | 'postgres');
        await lib.create({ id: 'lib1', kind: 'movie', title: 'Heat' }, '2025-01-01T00:00:00.000Z');
        expect(await link()).toEqual(['lib1', 'lib1']); // singular and plural kinds alike
        await lib.remove('lib1');
        expect(await link()).toEqual([null, null]);
        expect((await store.list()).length).toBe(3);
        await store.add({ id: 'lib2', title: 'Linked at add', kind: 'movies', addedAt: '2025-01-01T00:00:00.000Z' });
        expect(await link()).toEqual([null, null]);
        await lib.create({ id: 'lib3', kind: 'movie', title: 'Three' }, '2025-01-01T00:00:00.000Z');
        await store.add({ id: 'lib3', title: 'Three', kind: 'movies', addedAt: '2025-01-01T00:00:00.000Z' });
        const row = await k.selectFrom('wanted_items').select('library_item_id').where('item_id', '=', 'lib3').executeTakeFirst();
        expect(row?.library_item_id).toBe('lib3');
        // importer path: codec rows without links, then linkToLibrary
        await k
          .insertInto('wanted_items')
          .values(wantedItemToRow({ id: 'lib3', title: 'Three', kind: 'film' }, undefined, 99))
          .execute();
        expect(await store.linkToLibrary()).toBe(1);
        expect((await store.list()).at(-1)).toEqual({ id: 'lib3', title: 'Three', kind: 'film' });
      });
    }
  });
}
