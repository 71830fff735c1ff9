import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createGrabsStore } from '../../src/grabs/grabs.store.js';
import type { GrabRecord } from '../../src/grabs/grabs.types.js';
import { storeBackends, storeFixture } from '../downloaders/store-context.js';

const A: GrabRecord = {
  kind: 'movie',
  id: 'lib1',
  title: 'Heat',
  link: 'magnet:?xt=1',
  protocol: 'torrent',
  client: 'qbittorrent',
  ok: true,
  status: 200,
  at: '2024-12-01T10:20:00.000Z',
};
const B: GrabRecord = {
  kind: 'movies',
  id: 'x:y',
  title: 'Rel',
  link: null,
  protocol: 'usenet',
  client: 'usenet',
  ok: false,
  status: 'stored',
  at: '2024-12-01T10:21:00.000Z',
  nzbUpload: { filename: 'r.nzb', base64: 'PG56Yi8+', size: 6 },
};
const C: GrabRecord = {
  kind: 'book',
  id: 'b',
  title: 'Book',
  link: 'http://x/y.nzb',
  protocol: 'usenet',
  client: 'sabnzbd',
  ok: true,
  status: 200,
  at: '2024-12-01T10:22:00.000Z',
  category: 'books',
};

for (const b of storeBackends()) {
  describe(`grabs store (${b.label})`, () => {
    it('puts, replaces in place and lists in file order', async () => {
      const f = await storeFixture(b.engine, b.phase);
      try {
        const store = createGrabsStore(f.ctx);
        expect(await store.list()).toEqual([]);
        expect(await store.get('movie:lib1')).toBeUndefined();
        await store.put('movie:lib1', A);
        await store.put('movies:x:y', B);
        await store.put('book:b', C);
        const replaced = { ...A, ok: false, status: 500, at: '2024-12-02T00:00:00.000Z' };
        await store.put('movie:lib1', replaced);
        expect((await store.list()).map((e) => e.key)).toEqual(['movie:lib1', 'movies:x:y', 'book:b']);
        expect(await store.get('movie:lib1')).toStrictEqual(replaced);
        expect(await store.get('movies:x:y')).toStrictEqual(B);
        expect(await store.count()).toBe(3);
        if (b.phase !== 'db') {
          const file = JSON.parse(readFileSync(join(f.configDir, 'grabs.json'), 'utf8'));
          expect(file).toStrictEqual({ 'movie:lib1': replaced, 'movies:x:y': B, 'book:b': C });
          expect(Object.keys(file)).toEqual(['movie:lib1', 'movies:x:y', 'book:b']);
        }
      } finally {
        await f.cleanup();
      }
    });

    it('lists in flight only the grabs a client may still be working on', async () => {
      const f = await storeFixture(b.engine, b.phase);
      try {
        const store = createGrabsStore(f.ctx);
        const sent = (id: string, extra: Partial<GrabRecord>): GrabRecord => ({ ...A, id, ...extra });
        const records: Record<string, GrabRecord> = {
          'movie:legacy': sent('legacy', {}), // a legacy grab: no download id
          'movie:new': sent('new', { downloadId: 'h1' }), // no state yet: in flight
          'movie:dl': sent('dl', { downloadId: 'h2', state: 'downloading', progress: 0.5 }),
          'movie:done': sent('done', { downloadId: 'h3', state: 'imported' }),
          'movie:bad': sent('bad', { downloadId: 'h4', state: 'failed' }),
          'movie:refused': sent('refused', { downloadId: 'h5', ok: false }),
          'movie:noclient': { ...sent('noclient', { downloadId: 'h6' }), client: undefined },
          'movie:numid': sent('numid', { downloadId: 7 as unknown as string }),
          'movie:odd': sent('odd', { downloadId: 'h8', state: ['imported'] as unknown as string }), // String() says imported
          'movie:numstate': sent('numstate', { downloadId: 'h9', state: 3 as unknown as string }),
        };
        for (const [key, record] of Object.entries(records)) {
          if (record.client === undefined) delete record.client;
          await store.put(key, record);
        }
        const inFlight = await store.listInFlight();
        expect(inFlight.map((e) => e.key)).toEqual(['movie:new', 'movie:dl', 'movie:numstate']);
        expect(inFlight[1]!.record).toStrictEqual(records['movie:dl']);
        await store.put('movie:dl', { ...records['movie:dl']!, state: 'imported' });
        expect((await store.listInFlight()).map((e) => e.key)).toEqual(['movie:new', 'movie:numstate']);
      } finally {
        await f.cleanup();
      }
    });

    if (b.phase !== 'files') {
      it('links a grab to an existing library item (SET NULL when the item goes)', async () => {
        const f = await storeFixture(b.engine, b.phase);
        try {
          const k = f.tdb.db.kysely;
          await k.insertInto('library_items').values({ id: 'lib1', kind: 'movie', title: 'Heat', title_lower: 'heat', search_text: 'heat' }).execute();
          const store = createGrabsStore(f.ctx);
          await store.put('movie:lib1', A);
          await store.put('book:b', C);
          const link = async (key: string) =>
            (await k.selectFrom('grabs').select('library_item_id').where('key', '=', key).executeTakeFirstOrThrow()).library_item_id;
          expect(await link('movie:lib1')).toBe('lib1');
          expect(await link('book:b')).toBeNull();
          await k.deleteFrom('library_items').where('id', '=', 'lib1').execute();
          expect(await link('movie:lib1')).toBeNull();
          expect(await store.get('movie:lib1')).toStrictEqual(A);
        } finally {
          await f.cleanup();
        }
      });
    }
  });
}
