import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fake, fakeQbit, fakeSab, QB_SID } from '../download-clients/fakes.js';
import { expectNoSecretLeak, FIXED_NOW, QB_PASS, type RouteCtx, routeCtx, SAB_KEY, saveDownloaders } from '../downloads/route-helpers.js';
import { phaseMatrix } from '../helpers/matrix.js';

const MAGNET = 'magnet:?xt=urn:btih:aaaa';
const AT = FIXED_NOW.toISOString();

for (const [engine, phase] of phaseMatrix()) {
  describe(`activity routes (${engine}, ${phase})`, () => {
    let c: RouteCtx;
    let qb: Fake;
    let sab: Fake;
    beforeAll(async () => {
      c = await routeCtx(engine, phase);
      qb = await fakeQbit({
        username: 'admin',
        password: QB_PASS,
        torrents: [{ hash: 'abc', name: 'Heat', progress: 0.25, state: 'downloading', dlspeed: 1024, eta: 300, category: 'mediaos' }],
      });
      sab = await fakeSab({
        apiKey: SAB_KEY,
        queue: [{ nzo_id: 'SABnzbd_nzo_1', filename: 'Show.S01E01', mb: '200', mbleft: '50', timeleft: '0:02:00', status: 'Downloading', cat: 'tv' }],
        history: [{ nzo_id: 'h1', name: 'Old.Release', status: 'Completed', completed: 1733050000, cat: 'tv' }],
      });
      await saveDownloaders(c, {
        qbittorrent: { enabled: true, baseUrl: `${qb.url}/`, username: 'admin', password: QB_PASS },
        nzbget: { enabled: false },
        sabnzbd: { enabled: true, baseUrl: `${sab.url}/sabnzbd`, apiKey: SAB_KEY, category: 'tv' },
      });
      // two grabs through the API: one accepted (qBittorrent), one stored upload (no SAB link)
      const ok = await c.call({ method: 'POST', url: '/api/downloads/grab', payload: { kind: 'movie', id: 'm1', title: 'Heat', link: MAGNET }, token: c.user });
      expect(ok.json()).toEqual({ ok: true, queued: true });
    });
    afterAll(async () => {
      await Promise.all([qb.close(), sab.close()]);
      await c.close();
    });

    const get = (path: string, token = c.user) => c.call({ method: 'GET', url: `/api/activity/${path}`, token });
    const action = (payload: object) => c.call({ method: 'POST', url: '/api/activity/action', payload, token: c.user });

    it('requires a user token', async () => {
      for (const p of ['queue', 'history', 'live']) expect((await get(p, '')).statusCode).toBe(401);
      expect((await c.call({ method: 'POST', url: '/api/activity/action', payload: {} })).statusCode).toBe(401);
    });

    it('lists accepted grabs as the queue', async () => {
      const r = await get('queue');
      expect(r.json()).toStrictEqual({
        ok: true,
        items: [{ kind: 'movie', id: 'm1', title: 'Heat', client: 'qbittorrent', protocol: 'torrent', ok: true, status: 200, at: AT }],
      });
    });

    it('merges SABnzbd history with grab records, sorted by String(at) descending', async () => {
      const r = await get('history');
      expect(r.json()).toStrictEqual({
        ok: true,
        items: [
          { kind: 'movie', id: 'm1', title: 'Heat', client: 'qbittorrent', protocol: 'torrent', ok: true, status: 200, at: AT },
          { client: 'sabnzbd', protocol: 'usenet', title: 'Old.Release', status: 'Completed', at: 1733050000, category: 'tv' },
        ],
      });
      expect(sab.requests.find((x) => x.query.get('mode') === 'history')!.path).toBe('/sabnzbd/api');
    });

    it('shows live items from both clients', async () => {
      const r = await get('live');
      expect(r.json()).toStrictEqual({
        ok: true,
        items: [
          {
            client: 'qbittorrent',
            protocol: 'torrent',
            clientId: 'abc',
            title: 'Heat',
            progress: 0.25,
            status: 'downloading',
            speedBps: 1024,
            etaSec: 300,
            category: 'mediaos',
            clientUrl: qb.url,
          },
          {
            client: 'sabnzbd',
            protocol: 'usenet',
            clientId: 'SABnzbd_nzo_1',
            title: 'Show.S01E01',
            progress: 0.75,
            status: 'Downloading',
            etaSec: 120,
            eta: '0:02:00',
            category: 'tv',
            clientUrl: `${sab.url}/sabnzbd`,
          },
        ],
      });
      const info = qb.requests.find((x) => x.path === '/api/v2/torrents/info')!;
      expect(info.headers.cookie).toBe(`SID=${QB_SID}`);
    });

    it('runs actions on the clients', async () => {
      expect((await action({ client: 'qbittorrent', op: 'pause', id: 'abc' })).json()).toEqual({ ok: true });
      expect(qb.requests.at(-1)!.path).toBe('/api/v2/torrents/stop');
      expect((await action({ client: 'sabnzbd', op: 'delete', id: 'SABnzbd_nzo_1' })).json()).toEqual({ ok: true });
      const del = sab.requests.at(-1)!;
      expect([del.query.get('mode'), del.query.get('name'), del.query.get('value'), del.query.get('apikey')]).toEqual([
        'queue',
        'delete',
        'SABnzbd_nzo_1',
        SAB_KEY,
      ]);
    });

    it('answers action errors with the legacy codes and real statuses', async () => {
      const cases: [object, number, string][] = [
        [{ client: 'qbittorrent', op: 'pause' }, 400, 'missing_params'],
        [{ client: 'transmission', op: 'pause', id: 'x' }, 400, 'unsupported_client'],
        [{ client: 'sabnzbd', op: 'explode', id: 'x' }, 400, 'unsupported_op'],
      ];
      for (const [body, status, error] of cases) {
        const r = await action(body);
        expect(r.statusCode, error).toBe(status);
        expect(r.json()).toEqual(error === 'missing_params' ? { ok: false, error, message: 'id is required (missing or empty)' } : { ok: false, error });
      }
      expect((await action({})).json().message).toBe('client, op, id are required (missing or empty)');
      await saveDownloaders(c, {
        qbittorrent: { enabled: false, baseUrl: qb.url },
        nzbget: { enabled: false },
        sabnzbd: { enabled: true, baseUrl: sab.url, apiKey: SAB_KEY },
      });
      const nc = await action({ client: 'qbittorrent', op: 'resume', id: 'abc' });
      expect(nc.statusCode).toBe(409);
      expect(nc.json()).toEqual({ ok: false, error: 'not_configured' });
      // SABnzbd now without its sub-path: the fake answers 404
      const failed = await action({ client: 'sabnzbd', op: 'pause', id: 'x' });
      expect(failed.statusCode).toBe(502);
      expect(failed.json()).toEqual({ ok: false, error: 'action_failed', status: 404 });
      // a failing client contributes nothing to the lists
      expect((await get('live')).json()).toEqual({ ok: true, items: [] });
      expect((await get('history')).json().items).toHaveLength(1);
    });

    it('never leaks a secret', () => {
      expectNoSecretLeak(c);
    });
  });
}
