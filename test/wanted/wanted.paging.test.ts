import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WantedItem } from '../../src/wanted/wanted.types.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import { phaseMatrix } from '../helpers/matrix.js';

const NOW = new Date('2025-03-01T12:00:00.000Z');

interface Page {
  ok: true;
  items: WantedItem[];
  total: number;
  nextCursor: string | null;
}

for (const [engine, phase] of phaseMatrix()) {
  describe(`wanted paging (${engine}, ${phase})`, () => {
    let t: TestApp;
    let user: { authorization: string };
    const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => t.app.inject({ method, url, payload, headers: user });

    beforeAll(async () => {
      t = await createTestApp({ engine, phase, now: () => NOW });
      const a = await registerAdmin(t.app);
      user = bearer((await registerUser(t.app, a.accessToken)).accessToken);
      for (let i = 0; i < 25; i++) await call('POST', '/api/wanted', { id: `m${i}`, title: `Film ${i}`, kind: i % 2 ? 'movies' : 'movie' });
    });
    afterAll(async () => t.close());

    it('without paging parameters every answer is the legacy whole list, byte for byte', async () => {
      const whole = await call('GET', '/api/wanted');
      const items = whole.json<{ items: WantedItem[] }>().items;
      expect(items).toHaveLength(25);
      expect(whole.body).toBe(JSON.stringify({ ok: true, items }));
      const added = await call('POST', '/api/wanted', { id: 'm0', title: 'Film 0', kind: 'movie' }); // a repeat: nothing added
      expect(added.body).toBe(whole.body);
    });

    it('limit and cursor walk the list in order: {ok, items, total, nextCursor}', async () => {
      const whole = (await call('GET', '/api/wanted')).json<{ items: WantedItem[] }>().items;
      const seen: WantedItem[] = [];
      let url = '/api/wanted?limit=10';
      for (;;) {
        const page = (await call('GET', url)).json<Page>();
        expect(page.ok).toBe(true);
        expect(page.total).toBe(25);
        seen.push(...page.items);
        if (page.nextCursor === null) break;
        url = `/api/wanted?limit=10&cursor=${encodeURIComponent(page.nextCursor)}`;
      }
      expect(seen).toEqual(whole);
      const byCursorOnly = (await call('GET', `/api/wanted?cursor=${(await call('GET', '/api/wanted?limit=20')).json<Page>().nextCursor}`)).json<Page>();
      expect(byCursorOnly.items).toEqual(whole.slice(20)); // default page size: 100
    });

    it('a write with ?limit=0 answers the total only, and ?limit=N the first page', async () => {
      const added = (await call('POST', '/api/wanted?limit=0', { id: 'new1', title: 'New', kind: 'books' })).json<Page>();
      expect(added).toEqual({ ok: true, items: [], total: 26, nextCursor: null });
      const removed = (await call('DELETE', '/api/wanted/books/new1?limit=2')).json<Page>();
      expect(removed.total).toBe(25);
      expect(removed.items.map((i) => i.id)).toEqual(['m0', 'm1']);
      expect(removed.nextCursor).not.toBeNull();
    });

    it('a bad limit or cursor is a 400 naming it, and the write does not happen', async () => {
      for (const [query, field] of [
        ['limit=abc', 'limit'],
        ['limit=1001', 'limit'],
        ['limit=-1', 'limit'],
        ['cursor=', 'cursor'],
        ['cursor=%2B%2B', 'cursor'],
        ['cursor=bm9wZQ', 'cursor'],
        ['limit=5&cursor=bm9wZQ', 'cursor'],
      ] as const) {
        const res = await call('POST', `/api/wanted?${query}`, { id: 'bad', title: 'Bad', kind: 'books' });
        expect(res.statusCode, query).toBe(400);
        expect(res.body, query).toContain(field);
        expect((await call('GET', `/api/wanted?${query}`)).statusCode, query).toBe(400);
      }
      expect((await call('GET', '/api/wanted?limit=0')).json<Page>().total).toBe(25);
    });
  });
}
