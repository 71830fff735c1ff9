import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_INDEXED_BYTES } from '../../src/db/indexed-limit.js';
import type { WantedItem } from '../../src/wanted/wanted.types.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import { phaseMatrix } from '../helpers/matrix.js';

const NOW = new Date('2025-03-01T12:00:00.000Z');

for (const [engine, phase] of phaseMatrix()) {
  describe(`wanted + calendar routes (${engine}, ${phase})`, () => {
    let t: TestApp;
    let user: { authorization: string };
    const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => t.app.inject({ method, url, payload, headers: user });
    const fileItems = () => (JSON.parse(readFileSync(join(t.configDir, 'wanted.json'), 'utf8')) as { items: WantedItem[] }).items;
    const dual = phase.startsWith('dual');

    beforeAll(async () => {
      t = await createTestApp({ engine, phase, now: () => NOW });
      const a = await registerAdmin(t.app);
      user = bearer((await registerUser(t.app, a.accessToken)).accessToken);
    });
    afterAll(async () => t.close());

    it('needs a token', async () => {
      for (const [method, url] of [
        ['GET', '/api/wanted'],
        ['POST', '/api/wanted'],
        ['GET', '/api/calendar'],
        ['POST', '/api/wanted/scan'],
        ['DELETE', '/api/wanted/a/b'],
      ] as const) {
        expect((await t.app.inject({ method, url })).statusCode).toBe(401);
      }
    });

    it('adds (any user), trims, dedupes on kind+id and returns the full list', async () => {
      expect((await call('GET', '/api/wanted')).json()).toEqual({ ok: true, items: [] });
      let res = await call('POST', '/api/wanted', { id: ' m1 ', title: ' Heat ', kind: 'movies', extra: 1 });
      const first = { id: 'm1', title: 'Heat', kind: 'movies', addedAt: NOW.toISOString() };
      expect(res.json()).toEqual({ ok: true, items: [first] });
      res = await call('POST', '/api/wanted', { id: 'm1', title: 'Other', kind: 'movies' });
      expect(res.json()).toEqual({ ok: true, items: [first] });
      res = await call('POST', '/api/wanted', { id: 'm1', title: 'Heat', kind: 'movie' });
      expect(res.json<{ items: WantedItem[] }>().items.map((i) => i.kind)).toEqual(['movies', 'movie']);
      for (let i = 0; i < 11; i++) await call('POST', '/api/wanted', { id: `b${i}`, title: `Book ${i}`, kind: 'books' });
      if (dual) expect(fileItems()).toEqual((await call('GET', '/api/wanted')).json<{ items: WantedItem[] }>().items);
    });

    it('answers 400 missing_params', async () => {
      const cases: [object, string][] = [
        [{ id: 'x', title: 'y' }, 'kind is required (missing or empty)'],
        [{ id: ' ', title: 'y', kind: 'z' }, 'id is required (missing or empty)'],
        [{}, 'id, title, kind are required (missing or empty)'],
      ];
      for (const [body, message] of cases) {
        const res = await call('POST', '/api/wanted', body);
        expect(res.statusCode).toBe(400);
        // the legacy code, and the fields named
        expect(res.json()).toEqual({ ok: false, error: 'missing_params', message });
      }
    });

    it('refuses a kind + id longer than its unique index holds, naming the field, storing nothing', async () => {
      const before = (await call('GET', '/api/wanted')).json();
      const id = randomBytes(1400).toString('hex'); // PostgreSQL answered 500
      const res = await call('POST', '/api/wanted', { kind: 'movie', id, title: 'Long' });
      expect([res.statusCode, res.json()]).toEqual([
        400,
        { ok: false, error: `id: kind and id must be at most ${MAX_INDEXED_BYTES} bytes long in UTF-8 (it is ${id.length + 5})` },
      ]);
      expect((await call('GET', '/api/wanted')).json()).toEqual(before);
      if (dual) expect(fileItems()).toEqual(before.items);
    });

    it('scans honestly and stamps lastScan on every item', async () => {
      const res = await call('POST', '/api/wanted/scan', { enqueue: true });
      expect(res.statusCode).toBe(200);
      const body = res.json<{ ok: boolean; scanned: number; results: { key: string; found: number; grabbed: number }[]; scannedAt: string }>();
      expect(body.ok).toBe(true);
      expect(body.scanned).toBe(13);
      expect(body.scannedAt).toBe(NOW.toISOString());
      expect(body.results[0]).toEqual({ key: 'movies:m1', found: 0, grabbed: 0 });
      expect(body.results.every((r) => r.found === 0 && r.grabbed === 0)).toBe(true);
      const items = (await call('GET', '/api/wanted')).json<{ items: WantedItem[] }>().items;
      expect(items.every((i) => i.lastScan?.at === NOW.toISOString() && i.lastScan.found === 0)).toBe(true);
      expect((await t.app.inject({ method: 'POST', url: '/api/wanted/scan', headers: user })).statusCode).toBe(200);
      if (dual) expect(fileItems()).toEqual(items);
    });

    it('builds the synthetic calendar from the first 10 wanted items', async () => {
      const res = await call('GET', '/api/calendar?start=2020-01-01&end=2020-02-01');
      const { events } = res.json<{ events: Record<string, unknown>[] }>();
      expect(events).toHaveLength(10);
      expect(events[0]).toEqual({
        date: '2025-03-02T12:00:00.000Z',
        day: '2025-03-02',
        key: 'movies:m1',
        title: 'Heat',
        kind: 'movies',
        itemId: 'm1',
        daysUntil: 1,
        lastScan: { at: NOW.toISOString(), found: 0, grabbed: 0 },
      });
      expect(events[9]).toMatchObject({ day: '2025-03-11', daysUntil: 10, key: 'books:b7' });
    });

    it('answers a long list (streamed in batches of 500) whole, in order, as valid JSON', async () => {
      const before = (await call('GET', '/api/wanted')).json<{ items: WantedItem[] }>().items;
      // 500 exactly fills a batch (an empty last batch must not leave a trailing comma), then 1,001.
      for (const target of [500, 1001]) {
        const items = (await call('GET', '/api/wanted')).json<{ items: WantedItem[] }>().items;
        for (let i = items.length; i < target - 1; i++)
          await t.ctx.stores.wanted.add({ id: `bulk${i}`, title: `Bulk ${i}`, kind: 'series', addedAt: NOW.toISOString() });
        const res = await call('POST', '/api/wanted', { id: `last${target}`, title: 'Last', kind: 'series' });
        expect(res.statusCode).toBe(200);
        const body = res.json<{ ok: boolean; items: WantedItem[] }>();
        expect(body.ok).toBe(true);
        expect(body.items).toHaveLength(target);
        expect(body.items.slice(0, before.length)).toEqual(before);
        expect(body.items[target - 1]).toMatchObject({ id: `last${target}` });
        expect((await call('GET', '/api/wanted')).json()).toEqual(body);
      }
      for (let i = 0; i < 1001; i++) await t.ctx.stores.wanted.remove('series', `bulk${i}`);
      for (const id of ['last500', 'last1001']) await t.ctx.stores.wanted.remove('series', id);
    });

    it('deletes by kind/id and returns the rest; absent is fine', async () => {
      let res = await call('DELETE', '/api/wanted/movies/m1');
      expect(
        res
          .json<{ ok: boolean; items: WantedItem[] }>()
          .items.map((i) => `${i.kind}:${i.id}`)
          .slice(0, 2),
      ).toEqual(['movie:m1', 'books:b0']);
      res = await call('DELETE', '/api/wanted/movies/m1');
      expect(res.statusCode).toBe(200);
      expect(res.json<{ ok: boolean; items: WantedItem[] }>().items).toHaveLength(12);
      if (dual) expect(fileItems()).toEqual(res.json<{ items: WantedItem[] }>().items);
    });
  });
}
