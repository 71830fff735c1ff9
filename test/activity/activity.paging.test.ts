import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GrabActivityItem } from '../../src/activity/activity.types.js';
import type { GrabRecord } from '../../src/grabs/grabs.types.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import { phaseMatrix } from '../helpers/matrix.js';
import { grabFixture } from './grab-fixture.js';

/** The whole answers of the fixture as v0.3 gave them (recorded before paging existed). */
const LEGACY = join(import.meta.dirname, '../fixtures/paged-lists');
const legacyBody = (name: string) => readFileSync(join(LEGACY, name), 'utf8');

interface Page {
  ok: true;
  items: GrabActivityItem[];
  total: number;
  nextCursor: string | null;
  clientItems?: unknown[];
}

const atOf = (i: GrabActivityItem) => i.at ?? null;
/** Newest first, ties by id descending, the records without a time last. */
function isHistoryOrder(items: GrabActivityItem[]): boolean {
  return items.every((b, n) => {
    const a = items[n - 1];
    if (!a) return true;
    const [x, y] = [atOf(a), atOf(b)];
    if (x === y) return a.id! > b.id!;
    return y === null || (x !== null && x > y);
  });
}

for (const [engine, phase] of phaseMatrix()) {
  describe(`activity paging (${engine}, ${phase})`, () => {
    let t: TestApp;
    let user: { authorization: string };
    const get = (url: string) => t.app.inject({ method: 'GET', url, headers: user });
    const put = (key: string, rec: GrabRecord) => t.ctx.stores.grabs.put(key, rec);

    async function walk(path: string, limit: number, between?: (page: number) => Promise<void>): Promise<{ items: GrabActivityItem[]; pages: Page[] }> {
      const pages: Page[] = [];
      let url = `${path}?limit=${limit}`;
      for (;;) {
        const res = await get(url);
        expect(res.statusCode, res.body).toBe(200);
        const page = res.json<Page>();
        pages.push(page);
        if (page.nextCursor === null) break;
        await between?.(pages.length);
        url = `${path}?limit=${limit}&cursor=${encodeURIComponent(page.nextCursor)}`;
      }
      return { items: pages.flatMap((p) => p.items), pages };
    }

    beforeAll(async () => {
      t = await createTestApp({ engine, phase });
      const a = await registerAdmin(t.app);
      user = bearer((await registerUser(t.app, a.accessToken)).accessToken);
      for (const [key, rec] of grabFixture()) await put(key, rec);
    });
    afterAll(async () => t.close());

    it('without limit or cursor both lists answer the v0.3 bytes', async () => {
      if (process.env.MEDIAOS_RECORD_LEGACY === '1' && engine === 'sqlite' && phase === 'db') {
        writeFileSync(join(LEGACY, 'activity-queue.json'), (await get('/api/activity/queue')).body);
        writeFileSync(join(LEGACY, 'activity-history.json'), (await get('/api/activity/history')).body);
      }
      expect((await get('/api/activity/queue')).body).toBe(legacyBody('activity-queue.json'));
      expect((await get('/api/activity/history')).body).toBe(legacyBody('activity-history.json'));
      // other query keys keep the legacy answer
      expect((await get('/api/activity/history?foo=1')).body).toBe(legacyBody('activity-history.json'));
    });

    it('the queue pages in file order: the same items as the whole list, the last page says nextCursor null', async () => {
      const whole = (await get('/api/activity/queue')).json<{ items: GrabActivityItem[] }>().items;
      expect(whole).toHaveLength(23); // two refused grabs are not in it
      for (const [limit, sizes] of [
        [10, [10, 10, 3]],
        [23, [23]],
        [500, [23]],
      ] as const) {
        const { items, pages } = await walk('/api/activity/queue', limit);
        expect(items, String(limit)).toEqual(whole);
        expect(pages.map((p) => p.items.length)).toEqual(sizes);
        expect(pages.every((p) => p.total === 23 && p.ok === true)).toBe(true);
      }
    });

    it('the history pages newest first (ties by key, records without a time last), with the clients history on the first page', async () => {
      const whole = (await get('/api/activity/history')).json<{ items: GrabActivityItem[] }>().items;
      const { items, pages } = await walk('/api/activity/history', 10);
      expect(pages.map((p) => [p.items.length, p.total])).toEqual([
        [10, 25],
        [10, 25],
        [5, 25],
      ]);
      expect(isHistoryOrder(items)).toBe(true);
      expect(items.map((i) => i.id).sort()).toEqual(whole.map((i) => i.id).sort());
      expect(items.slice(-3).map((i) => i.at)).toEqual([undefined, undefined, undefined]);
      expect(pages[0]!.clientItems).toEqual([]); // no client set up; only the first page carries them
      expect(pages.slice(1).some((p) => 'clientItems' in p)).toBe(false);
      const exact = await walk('/api/activity/history', 5);
      expect(exact.pages).toHaveLength(5);
      expect(exact.pages[4]!.nextCursor).toBeNull();
      expect(exact.items).toEqual(items);
    });

    it('grabs written between pages are neither repeated nor skipped', async () => {
      const before = (await get('/api/activity/history?limit=500')).json<Page>().items;
      const seen = await walk('/api/activity/history', 7, async (n) => {
        if (n !== 1) return;
        // one newer than the first page (not in this walk), one older than anything (on a later page),
        await put('movie:new-newest', { kind: 'movie', id: 'new-newest', title: 'Newest', ok: true, status: 200, at: '2026-01-01T00:00:00.000Z' });
        await put('movie:new-oldest', { kind: 'movie', id: 'new-oldest', title: 'Oldest', ok: true, status: 200, at: '2000-01-01T00:00:00.000Z' });
      });
      const ids = seen.items.map((i) => i.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toContain('new-oldest');
      expect(ids).not.toContain('new-newest');
      for (const b of before) expect(ids).toContain(b.id);

      const queue = await walk('/api/activity/queue', 10, async (n) => {
        if (n === 1) await put('movie:new-late', { kind: 'movie', id: 'new-late', title: 'Late', ok: true, status: 200, at: '2026-02-01T00:00:00.000Z' });
      });
      const qids = queue.items.map((i) => i.id);
      expect(new Set(qids).size).toBe(qids.length);
      expect(qids.slice(-1)).toEqual(['new-late']); // a new grab goes last in file order
      expect(queue.pages.at(-1)!.total).toBe(26);
    });

    it('a bad limit or cursor is a 400 naming it', async () => {
      const queueCursor = (await get('/api/activity/queue?limit=1')).json<Page>().nextCursor!;
      const historyCursor = (await get('/api/activity/history?limit=1')).json<Page>().nextCursor!;
      for (const path of ['/api/activity/queue', '/api/activity/history']) {
        const foreign = path.endsWith('queue') ? historyCursor : queueCursor;
        for (const [query, field] of [
          ['limit=abc', 'limit'],
          ['limit=0', 'limit'],
          ['limit=501', 'limit'],
          ['limit=2.5', 'limit'],
          ['cursor=', 'cursor'],
          ['cursor=%2B%2B', 'cursor'],
          ['cursor=bm9wZQ', 'cursor'],
          [`limit=5&cursor=${Buffer.from('["x"]').toString('base64url')}`, 'cursor'],
          [`cursor=${encodeURIComponent(foreign)}`, 'cursor'],
        ] as const) {
          const res = await get(`${path}?${query}`);
          expect(res.statusCode, `${path}?${query}`).toBe(400);
          expect(res.json<{ ok: boolean }>().ok, query).toBe(false);
          expect(res.body, query).toContain(field);
        }
      }
      expect((await t.app.inject({ method: 'GET', url: '/api/activity/history?limit=5' })).statusCode).toBe(401);
    });
  });
}
