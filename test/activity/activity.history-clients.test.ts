import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CLIENT_HISTORY_FRESH_MS, CLIENT_HISTORY_MAX_AGE_MS } from '../../src/activity/activity.client-history.js';
import { type Fake, startFake } from '../download-clients/fakes.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import { phaseMatrix } from '../helpers/matrix.js';

const SAB_KEY = 'sabkey-history-0123456789abcdef';
const slot = (name: string, completed: number) => ({ nzo_id: name, name, status: 'Completed', completed, cat: 'tv' });

/** A SABnzbd whose history answers can be held (a client that does not answer yet). */
async function holdableSab() {
  const history = [slot('Old.Release', 1733050000)];
  let hold = false;
  const held: ServerResponse[] = [];
  const answer = (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ history: { slots: history } }));
  };
  const fake: Fake = await startFake((req, res) => {
    if (req.query.get('apikey') !== SAB_KEY || req.query.get('mode') !== 'history') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: false, error: 'not implemented' }));
      return;
    }
    if (hold) held.push(res);
    else answer(res);
  });
  return {
    fake,
    history,
    held,
    historyCalls: () => fake.requests.filter((r) => r.query.get('mode') === 'history').length,
    hold: () => {
      hold = true;
    },
    release: () => {
      hold = false;
      for (const res of held.splice(0)) answer(res);
    },
  };
}

const titles = (items: unknown[] | undefined) => (items ?? []).map((i) => (i as { title: string }).title);

for (const [engine, phase] of phaseMatrix()) {
  describe(`activity history page and the download clients (${engine}, ${phase})`, () => {
    let t: TestApp;
    let sab: Awaited<ReturnType<typeof holdableSab>>;
    let admin: { authorization: string };
    let user: { authorization: string };
    let clock = new Date('2025-01-02T03:04:05.678Z').getTime();
    const tick = (ms: number) => (clock += ms);
    const get = (url: string) => t.app.inject({ method: 'GET', url, headers: user });
    const firstPage = async () => {
      const res = await get('/api/activity/history?limit=2');
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ clientItems?: unknown[]; nextCursor: string | null }>();
    };
    const saveSab = async (section: object) => {
      const res = await t.app.inject({ method: 'POST', url: '/api/settings/downloaders', payload: { sabnzbd: section }, headers: admin });
      expect(res.statusCode, res.body).toBe(200);
    };

    beforeAll(async () => {
      sab = await holdableSab();
      t = await createTestApp({ engine, phase, now: () => new Date(clock) });
      const a = await registerAdmin(t.app);
      admin = bearer(a.accessToken);
      user = bearer((await registerUser(t.app, a.accessToken)).accessToken);
      for (let i = 0; i < 3; i++)
        await t.ctx.stores.grabs.put(`g${i}`, { kind: 'movie', id: `m${i}`, title: `Grab ${i}`, ok: true, at: `2025-01-0${i + 1}T00:00:00.000Z` });
      await saveSab({ enabled: true, baseUrl: sab.fake.url, apiKey: SAB_KEY, category: 'tv' });
    });
    afterAll(async () => {
      sab.release();
      await t.close();
      await sab.fake.close();
    });

    it('asks the clients once for first pages in a row, and never for later pages', async () => {
      const pages = [];
      for (let i = 0; i < 5; i++) pages.push(await firstPage());
      for (const p of pages) expect(titles(p.clientItems)).toEqual(['Old.Release']);
      const second = await get(`/api/activity/history?limit=2&cursor=${encodeURIComponent(pages[0]!.nextCursor!)}`);
      expect(second.json()).not.toHaveProperty('clientItems');
      // One call for five first pages (each page asked the client before: 5).
      expect(sab.historyCalls()).toBe(1);
    });

    it('answers a stale first page without waiting for a client that has not answered, and refreshes behind it', async () => {
      const before = sab.historyCalls();
      tick(CLIENT_HISTORY_FRESH_MS);
      sab.hold();
      sab.history.unshift(slot('New.Release', 1733060000));
      // The page answers while the client still holds its request (it used to wait for it).
      expect(titles((await firstPage()).clientItems)).toEqual(['Old.Release']);
      expect(titles((await firstPage()).clientItems)).toEqual(['Old.Release']);
      await vi.waitFor(() => expect(sab.held).toHaveLength(1)); // one refresh for both
      expect(sab.historyCalls()).toBe(before + 1);
      sab.release();
      await vi.waitFor(async () => expect(titles((await firstPage()).clientItems)).toEqual(['New.Release', 'Old.Release']));
      expect(sab.historyCalls()).toBe(before + 1);
    });

    it('the whole history (v0.3) still asks the clients on every request', async () => {
      const before = sab.historyCalls();
      for (let i = 0; i < 2; i++) {
        const res = await get('/api/activity/history');
        expect(titles(res.json<{ items: unknown[] }>().items.filter((x) => (x as { client?: string }).client === 'sabnzbd'))).toEqual([
          'New.Release',
          'Old.Release',
        ]);
      }
      expect(sab.historyCalls()).toBe(before + 2);
    });

    it('waits for the clients again when their settings change or the answer is too old', async () => {
      await saveSab({ enabled: false, baseUrl: sab.fake.url, apiKey: SAB_KEY, category: 'tv' });
      expect((await firstPage()).clientItems).toEqual([]); // not the remembered SAB items
      await saveSab({ enabled: true, baseUrl: sab.fake.url, apiKey: SAB_KEY, category: 'tv' });
      expect(titles((await firstPage()).clientItems)).toEqual(['New.Release', 'Old.Release']);

      tick(CLIENT_HISTORY_MAX_AGE_MS);
      sab.hold();
      sab.history.splice(0, 1);
      let answered = false;
      const page = firstPage().then((p) => {
        answered = true;
        return p;
      });
      await vi.waitFor(() => expect(sab.held).toHaveLength(1));
      expect(answered).toBe(false); // too old to serve: the page waits for the client
      sab.release();
      expect(titles((await page).clientItems)).toEqual(['Old.Release']);
    });
  });
}
