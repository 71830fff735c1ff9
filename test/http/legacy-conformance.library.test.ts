import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Client,
  conformanceMatrix,
  expectBare,
  expectError,
  expectExactKeys,
  expectOk,
  expectShape,
  LIBRARY_ITEM,
  startClient,
  WANTED_ITEM,
} from './legacy-conformance.helpers.js';

/**
 * API.md §2 (library CRUD), §5 (wanted, calendar). Deliberate changes (README): not found 404,
 * duplicates 409, bad input 400 naming the field (legacy: 200 ok:false, zod 500).
 */
for (const [engine, phase] of conformanceMatrix()) {
  describe(`library, wanted, calendar (API.md §2, §5) on ${engine}/${phase}`, () => {
    let c: Client;
    beforeAll(async () => {
      c = await startClient(engine, phase);
    });
    afterAll(async () => c?.t.close());

    it('GET /api/library: bare {items} (no ok), insertion order', async () => {
      expect(expectBare(await c.call('GET', '/api/library', { token: c.user }))).toEqual({ items: [] });
      expectOk(await c.call('POST', '/api/library', { token: c.admin, body: { kind: 'movie', title: 'Heat', id: 'heat-1995' } }));
      expectOk(await c.call('POST', '/api/library', { token: c.admin, body: { kind: 'series', title: 'The Wire' } }));
      const list = expectBare(await c.call('GET', '/api/library', { token: c.user }));
      expectExactKeys(list, ['items']);
      expectShape(list.items, [LIBRARY_ITEM], 'items');
      expect((list.items as { title: string }[]).map((i) => i.title)).toEqual(['Heat', 'The Wire']);
    });

    it('POST /api/library: {ok,item}; client id kept, extra keys stripped, same kind+title returns the existing item', async () => {
      const created = expectOk(
        await c.call('POST', '/api/library', {
          token: c.admin,
          body: { kind: 'book', title: 'Dune', id: 'dune', posterUrl: 'https://img.example/dune.jpg', rating: 5 },
        }),
      );
      expectExactKeys(created, ['ok', 'item']);
      expect(created.item).toEqual({ id: 'dune', kind: 'book', title: 'Dune', posterUrl: 'https://img.example/dune.jpg' });
      const generated = expectOk(await c.call('POST', '/api/library', { token: c.admin, body: { kind: 'music', title: 'Kind of Blue' } }));
      expect((generated.item as { id: string }).id).toMatch(/^[a-z0-9]{8,32}$/);
      const again = expectOk(
        await c.call('POST', '/api/library', { token: c.admin, body: { kind: 'book', title: 'DUNE', posterUrl: 'https://img.example/other.jpg' } }),
      );
      expect(again.item).toEqual(created.item);
      expectError(await c.call('POST', '/api/library', { token: c.admin, body: { kind: 'movie', title: 'Other', id: 'dune' } }), 409, 'duplicate_id');
      expectError(await c.call('POST', '/api/library', { token: c.admin, body: { kind: 'movies', title: 'Plural' } }), 400, /^kind: /);
      expectError(await c.call('POST', '/api/library', { token: c.admin, body: { kind: 'movie' } }), 400, /^title: /);
      expectError(
        await c.call('POST', '/api/library', { token: c.admin, body: { kind: 'movie', title: 'Bad URL', posterUrl: 'not a url' } }),
        400,
        /^posterUrl: /,
      );
    });

    it("GET /api/library/:id matches the id or the exact title; the UI's /api/library/movies is not_found", async () => {
      expect(expectOk(await c.call('GET', '/api/library/heat-1995', { token: c.user })).item).toMatchObject({ id: 'heat-1995', title: 'Heat' });
      expect(expectOk(await c.call('GET', '/api/library/The%20Wire', { token: c.user })).item).toMatchObject({ kind: 'series', title: 'The Wire' });
      expectError(await c.call('GET', '/api/library/the%20wire', { token: c.user }), 404, 'not_found');
      expectError(await c.call('GET', '/api/library/movies', { token: c.user }), 404, 'not_found');
    });

    it('POST /api/library/artwork: tab defaults to poster; background sets backgroundUrl; banner/season change nothing', async () => {
      const poster = expectOk(await c.call('POST', '/api/library/artwork', { token: c.admin, body: { title: 'Heat', url: 'https://img.example/p.jpg' } }));
      expect(poster.item).toMatchObject({ id: 'heat-1995', posterUrl: 'https://img.example/p.jpg' });
      const bg = expectOk(
        await c.call('POST', '/api/library/artwork', { token: c.admin, body: { title: 'Heat', tab: 'background', url: 'https://img.example/b.jpg' } }),
      );
      expect(bg.item).toMatchObject({ posterUrl: 'https://img.example/p.jpg', backgroundUrl: 'https://img.example/b.jpg' });
      const banner = expectOk(
        await c.call('POST', '/api/library/artwork', { token: c.admin, body: { title: 'Heat', tab: 'banner', url: 'https://img.example/x.jpg' } }),
      );
      expect(banner.item).toEqual(bg.item);
      expectError(
        await c.call('POST', '/api/library/artwork', { token: c.admin, body: { title: 'Nope', url: 'https://img.example/p.jpg' } }),
        404,
        'not_found',
      );
    });

    it('PATCH /api/library/:id: by id only; blank title ignored; null removes the key; duplicate_title 409', async () => {
      const patched = expectOk(await c.call('PATCH', '/api/library/heat-1995', { token: c.admin, body: { title: '   ', posterUrl: null } }));
      expect(patched.item).toEqual({ id: 'heat-1995', kind: 'movie', title: 'Heat', backgroundUrl: 'https://img.example/b.jpg' });
      const renamed = expectOk(await c.call('PATCH', '/api/library/heat-1995', { token: c.admin, body: { title: 'Heat (1995)' } }));
      expect(renamed.item).toMatchObject({ title: 'Heat (1995)' });
      expectError(await c.call('PATCH', '/api/library/Heat%20(1995)', { token: c.admin, body: { title: 'X' } }), 404, 'not_found');
      expectError(await c.call('PATCH', '/api/library/heat-1995', { token: c.admin, body: { kind: 'book', title: 'dune' } }), 409, 'duplicate_title');
    });

    it('DELETE /api/library/:id: {ok,item:<removed>}, then not_found', async () => {
      const del = expectOk(await c.call('DELETE', '/api/library/dune', { token: c.admin }));
      expect(del.item).toMatchObject({ id: 'dune', title: 'Dune' });
      expectError(await c.call('DELETE', '/api/library/dune', { token: c.admin }), 404, 'not_found');
    });

    it('POST /api/wanted: all of id/title/kind required after trim; {ok,items:<full list>}, deduped on kind+id', async () => {
      expect(expectOk(await c.call('GET', '/api/wanted', { token: c.user }))).toEqual({ ok: true, items: [] });
      for (const body of [
        { title: 'T', kind: 'movies' },
        { id: ' ', title: 'T', kind: 'movies' },
        { id: 'x', kind: 'movies' },
        { id: 'x', title: 'T' },
      ]) {
        expectError(await c.call('POST', '/api/wanted', { token: c.user, body }), 400, 'missing_params', JSON.stringify(body));
      }
      const first = expectOk(await c.call('POST', '/api/wanted', { token: c.user, body: { id: ' heat-1995 ', title: ' Heat ', kind: 'movies' } }));
      expectShape(first.items, [{ ...(WANTED_ITEM as object), lastScan: 'object?' }], 'items');
      expect(first.items).toEqual([expect.objectContaining({ id: 'heat-1995', title: 'Heat', kind: 'movies' })]);
      expectOk(await c.call('POST', '/api/wanted', { token: c.user, body: { id: 'heat-1995', title: 'Heat again', kind: 'movies' } }));
      const second = expectOk(await c.call('POST', '/api/wanted', { token: c.user, body: { id: 'heat-1995', title: 'Heat', kind: 'movie' } }));
      expect((second.items as { kind: string; title: string }[]).map((i) => `${i.kind}:${i.title}`)).toEqual(['movies:Heat', 'movie:Heat']);
    });

    it('POST /api/wanted/scan: {ok,scanned,results:[{key,found,grabbed}],scannedAt}; lastScan stamped on every item', async () => {
      const scan = expectOk(await c.call('POST', '/api/wanted/scan', { token: c.user, body: { enqueue: true } }));
      expectShape(scan, { scanned: 'integer', results: [{ key: 'string', found: 'integer', grabbed: 'integer' }], scannedAt: 'iso' });
      expect(scan.scanned).toBe(2);
      expect((scan.results as { key: string }[]).map((r) => r.key)).toEqual(['movies:heat-1995', 'movie:heat-1995']);
      const list = expectOk(await c.call('GET', '/api/wanted', { token: c.user }));
      expectShape(list.items, [WANTED_ITEM], 'items');
      for (const item of list.items as { lastScan: { at: string } }[]) expect(item.lastScan.at).toBe(scan.scannedAt);
    });

    it('GET /api/calendar: bare {events}, the first 10 wanted items at now+1..10 days', async () => {
      for (let i = 0; i < 11; i++) expectOk(await c.call('POST', '/api/wanted', { token: c.user, body: { id: `w${i}`, title: `W${i}`, kind: 'series' } }));
      const cal = expectBare(await c.call('GET', '/api/calendar?start=2020-01-01&end=2020-02-01', { token: c.user }));
      expectExactKeys(cal, ['events']);
      const events = cal.events as Record<string, unknown>[];
      expect(events).toHaveLength(10);
      expectShape(
        events,
        [{ date: 'iso', day: 'string', key: 'string', title: 'string', kind: 'string', itemId: 'string', daysUntil: 'integer', lastScan: 'object|null' }],
        'events',
      );
      expect(events.map((e) => e.daysUntil)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(events[0]).toMatchObject({ key: 'movies:heat-1995', itemId: 'heat-1995', kind: 'movies', title: 'Heat' });
      for (const e of events) expect(e.day).toBe((e.date as string).slice(0, 10));
    });

    it('DELETE /api/wanted/:kind/:id: {ok,items:<remaining>}, no error when absent', async () => {
      const del = expectOk(await c.call('DELETE', '/api/wanted/movies/heat-1995', { token: c.user }));
      expect((del.items as { kind: string; id: string }[]).some((i) => i.kind === 'movies' && i.id === 'heat-1995')).toBe(false);
      const again = expectOk(await c.call('DELETE', '/api/wanted/movies/heat-1995', { token: c.user }));
      expect(again.items).toEqual(del.items);
    });
  });
}
