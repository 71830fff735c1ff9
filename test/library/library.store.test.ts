import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libraryItemToRow, titleKey } from '../../src/library/library.codec.js';
import { createLibraryJson } from '../../src/library/library.json.js';
import { compareUtf8, searchTokens } from '../../src/library/library.search.js';
import { createLibrarySql } from '../../src/library/library.sql.js';
import type { LibraryStore } from '../../src/library/library.store.js';
import type { LibraryCursor, LibraryItem, LibraryQuery, LibrarySort } from '../../src/library/library.types.js';
import { createTestDatabase, sqlEngines, type TestDatabase, tempDir } from '../helpers/engines.js';

type Engine = 'sqlite' | 'postgres' | 'json';
const engines: Engine[] = [...sqlEngines(), 'json'];

interface Harness {
  store: LibraryStore;
  tdb?: TestDatabase;
  dir: string;
  cleanup(): Promise<void>;
}

async function open(engine: Engine): Promise<Harness> {
  if (engine === 'json') {
    const t = tempDir();
    return { store: createLibraryJson({ configDir: t.dir }), dir: t.dir, cleanup: async () => t.cleanup() };
  }
  const tdb = await createTestDatabase(engine);
  return { store: createLibrarySql(tdb.db.kysely, engine), tdb, dir: tdb.dir, cleanup: () => tdb.cleanup() };
}

/** Walks every page; returns ids in page order. */
async function walk(store: LibraryStore, q: Omit<LibraryQuery, 'after'>): Promise<{ ids: string[]; totals: number[] }> {
  const ids: string[] = [];
  const totals: number[] = [];
  let after: LibraryCursor | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const page = await store.query({ ...q, after });
    ids.push(...page.items.map((i) => i.id));
    totals.push(page.total);
    expect(page.items.length).toBeLessThanOrEqual(q.limit);
    if (!page.next) return { ids, totals };
    after = page.next;
  }
  throw new Error('pagination did not end');
}

for (const engine of engines) {
  describe(`library store (${engine})`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await open(engine);
    });
    afterAll(async () => h.cleanup());

    it('creates, dedupes on kind + case-insensitive title, refuses a taken id', async () => {
      const heat: LibraryItem = { id: 'heat1', kind: 'movie', title: 'Heat', posterUrl: 'https://x.test/p.jpg' };
      expect(await h.store.create(heat, '2025-01-01T00:00:00.000Z')).toEqual({ status: 'created', item: heat });
      expect(await h.store.create({ id: 'other', kind: 'movie', title: 'HEAT' }, '2025-01-01T00:00:00.000Z')).toEqual({ status: 'exists', item: heat });
      expect(await h.store.create({ id: 'heat1', kind: 'series', title: 'Heat' }, '2025-01-01T00:00:00.000Z')).toEqual({ status: 'duplicate_id' });
      expect((await h.store.create({ id: 'heat-s', kind: 'series', title: 'heat' }, '2025-01-01T00:00:00.000Z')).status).toBe('created');
      expect(await h.store.getById('heat1')).toEqual(heat);
      expect(await h.store.getById('nope')).toBeUndefined();
      expect(await h.store.count()).toBe(2);
    });

    it('finds by id or exact title, first in insertion order', async () => {
      await h.store.create({ id: 'Heat', kind: 'book', title: 'A book called id' }, '2025-01-01T00:00:01.000Z');
      expect((await h.store.findByIdOrTitle('Heat'))?.id).toBe('heat1'); // title match comes first
      expect((await h.store.findByIdOrTitle('heat'))?.id).toBe('heat-s');
      expect((await h.store.findByIdOrTitle('A book called id'))?.id).toBe('Heat');
      expect(await h.store.findByIdOrTitle('HEAT')).toBeUndefined();
      expect((await h.store.findByTitle('Heat'))?.id).toBe('heat1');
    });

    it('patches: null removes a key, title clash is refused, unknown id is not_found', async () => {
      let r = await h.store.patch('heat1', { posterUrl: null, backgroundUrl: 'https://x.test/b.jpg' }, '2025-01-02T00:00:00.000Z');
      expect(r).toEqual({ status: 'updated', item: { id: 'heat1', kind: 'movie', title: 'Heat', backgroundUrl: 'https://x.test/b.jpg' } });
      expect(await h.store.getById('heat1')).toEqual({ id: 'heat1', kind: 'movie', title: 'Heat', backgroundUrl: 'https://x.test/b.jpg' });
      expect(await h.store.patch('heat-s', { kind: 'movie' }, '2025-01-02T00:00:00.000Z')).toEqual({ status: 'duplicate_title' });
      expect(await h.store.patch('heat-s', { title: 'HEAT', kind: 'movie' }, '2025-01-02T00:00:00.000Z')).toEqual({ status: 'duplicate_title' });
      r = await h.store.patch('heat1', { title: 'HEAT' }, '2025-01-02T00:00:00.000Z'); // same item, other case: allowed
      expect(r.status).toBe('updated');
      expect(await h.store.patch('missing', { title: 'x' }, '2025-01-02T00:00:00.000Z')).toEqual({ status: 'not_found' });
      expect((await h.store.query({ tokens: searchTokens('heat'), sort: 'title', limit: 10 })).items.map((i) => i.title)).toEqual(['HEAT', 'heat']);
    });

    it('removes and returns the item', async () => {
      const removed = await h.store.remove('Heat');
      expect(removed).toEqual({ id: 'Heat', kind: 'book', title: 'A book called id' });
      expect(await h.store.remove('Heat')).toBeUndefined();
      expect(await h.store.getById('Heat')).toBeUndefined();
    });

    it('keeps unknown keys and odd values through the store', async () => {
      const odd = JSON.parse(
        '{"id":"odd","kind":"music","title":"Björk 🎵 – Ame\u0301lie","path":"/m","year":"1997","metadata":{"artist":"Björk","track":3},"fileSize":123456789012,"x":null}',
      ) as LibraryItem;
      if (engine === 'json') {
        expect((await h.store.create(odd, '2025-01-03T00:00:00.000Z')).status).toBe('created');
      } else {
        await h.tdb!.db.kysely.insertInto('library_items').values(libraryItemToRow(odd)).execute();
      }
      const back = await h.store.getById('odd');
      expect(back).toEqual(odd);
      expect(Buffer.from(back!.title)).toEqual(Buffer.from(odd.title));
      expect(await h.store.remove('odd')).toEqual(odd);
    });

    describe('paging', () => {
      const made: LibraryItem[] = [];
      const ats: string[] = [];
      beforeAll(async () => {
        for (const id of ['heat1', 'heat-s']) await h.store.remove(id);
        const titles = [
          'Alpha',
          'alpha',
          'ALPHA',
          'Amélie',
          'Ame\u0301lie 2',
          'Bravo',
          'bravo',
          'Charlie',
          'Zulu',
          'Éclair',
          'ábc',
          '🎵 Music',
          'Spider-Man',
          'Spider Man 2',
          'spiderweb',
          'Delta',
        ];
        const kinds = ['movie', 'series', 'music', 'book'] as const;
        let n = 0;
        for (let round = 0; round < 4; round++) {
          for (const t of titles) {
            const kind = kinds[(n + round) % 4];
            const item: LibraryItem = { id: `p${String(n).padStart(3, '0')}`, kind, title: round === 0 ? t : `${t} ${round}` };
            const at = `2025-02-01T00:00:${String(Math.floor(n / 7)).padStart(2, '0')}.000Z`; // ties on purpose
            const r = await h.store.create(item, at);
            if (r.status === 'created') {
              made.push(item);
              ats.push(at);
            }
            n++;
          }
        }
      });

      const order = (sort: LibrarySort, list: LibraryItem[]) => {
        const idx = new Map(made.map((m, i) => [m.id, i]));
        const sorted = [...list].sort((a, b) => {
          const ia = idx.get(a.id)!;
          const ib = idx.get(b.id)!;
          const c = sort.endsWith('title') ? compareUtf8(titleKey(a.title), titleKey(b.title)) || ia - ib : compareUtf8(ats[ia], ats[ib]) || ia - ib;
          return sort.startsWith('-') ? -c : c;
        });
        return sorted.map((i) => i.id);
      };

      for (const sort of ['title', '-title', 'createdAt', '-createdAt'] as const) {
        for (const limit of [1, 7, 500]) {
          it(`walks every item exactly once (sort ${sort}, limit ${limit})`, async () => {
            const { ids, totals } = await walk(h.store, { tokens: [], sort, limit });
            expect(new Set(ids).size).toBe(ids.length);
            expect(ids).toEqual(order(sort, made));
            expect(new Set(totals)).toEqual(new Set([made.length]));
          });
        }
        it(`filters by kind (sort ${sort})`, async () => {
          for (const kind of ['movie', 'series', 'music', 'book'] as const) {
            const { ids, totals } = await walk(h.store, { tokens: [], kind, sort, limit: 5 });
            expect(ids).toEqual(
              order(
                sort,
                made.filter((m) => m.kind === kind),
              ),
            );
            expect(totals[0]).toBe(made.filter((m) => m.kind === kind).length);
          }
        });
      }

      it('searches with folded diacritics and prefixes', async () => {
        const titles = async (q: string, extra: Partial<LibraryQuery> = {}) =>
          (await walk(h.store, { tokens: searchTokens(q), sort: 'title', limit: 3, ...extra })).ids.map((id) => made.find((m) => m.id === id)!.title);
        expect(await titles('amelie')).toEqual(
          ['Amélie', 'Ame\u0301lie 2', 'Amélie 1', 'Ame\u0301lie 2 1', 'Amélie 2', 'Ame\u0301lie 2 2', 'Amélie 3', 'Ame\u0301lie 2 3'].sort((a, b) =>
            compareUtf8(a.toLowerCase(), b.toLowerCase()),
          ),
        );
        expect(await titles('AMÉL 2 1')).toEqual(['Ame\u0301lie 2 1']);
        expect(await titles('spider')).toHaveLength(12);
        expect(await titles('spider man')).toHaveLength(8);
        expect(await titles('spi ma 3')).toEqual(['Spider Man 2 3', 'Spider-Man 3']);
        expect(await titles('eclair 2')).toEqual(['Éclair 2']);
        expect(await titles('"zul*" OR -x')).toEqual([]); // FTS syntax is just text
        expect(await titles('zul')).toEqual(['Zulu', 'Zulu 1', 'Zulu 2', 'Zulu 3']);
        expect(await titles('music')).toHaveLength(4);
        const page = await h.store.query({ tokens: searchTokens('alpha'), sort: '-title', limit: 2 });
        expect(page.total).toBe(made.filter((m) => m.title.toLowerCase().startsWith('alpha')).length);
        const kindOnly = await walk(h.store, { tokens: searchTokens('alpha'), kind: 'movie', sort: 'createdAt', limit: 2 });
        expect(kindOnly.ids).toEqual(
          order(
            'createdAt',
            made.filter((m) => m.kind === 'movie' && m.title.toLowerCase().startsWith('alpha')),
          ),
        );
        expect(kindOnly.totals[0]).toBe(kindOnly.ids.length);
      });

      it('lists everything in insertion order by batches', async () => {
        const ids: string[] = [];
        let after = -1;
        for (;;) {
          const b = await h.store.batchAfter(after, 10);
          if (b.items.length === 0) break;
          ids.push(...b.items.map((i) => i.id));
          after = b.lastSeq;
        }
        expect(ids).toEqual(made.map((m) => m.id));
      });

      if (engine === 'json') {
        it('writes the legacy file', async () => {
          const text = readFileSync(join(h.dir, 'library.json'), 'utf8');
          expect(text.endsWith('\n')).toBe(false);
          expect(JSON.parse(text)).toEqual({ items: made });
          const again = createLibraryJson({ configDir: h.dir });
          expect((await again.query({ tokens: [], sort: 'title', limit: 500 })).items.length).toBe(made.length);
        });
      }
    });
  });
}
