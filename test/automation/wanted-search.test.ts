import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingSearchJobId, scheduleMissingSearch } from '../../src/automation/automation.schedule.js';
import type { StoragePhase } from '../../src/storage/phase-list.js';
import { type Fake, fakeSab } from '../download-clients/fakes.js';
import { expectNoSecretLeak, type RouteCtx, routeCtx, SAB_KEY, saveDownloaders } from '../downloads/route-helpers.js';
import type { TestEngine } from '../helpers/engines.js';
import { sqlEngines } from '../helpers/engines.js';
import { startTorznabServer, TORZNAB_KEY } from '../indexer-clients/torznab-server.js';

interface Item {
  id: string;
  title: string;
  kind: string;
  year?: number;
  qualityProfileId?: string;
  status?: string;
  lastScan?: { at: string; found: number; grabbed: number };
  lastSearch?: { at: string; found: number; approved: number; grabbed: number; release?: string; errors?: string[] };
  rejections?: { title: string; reasons: { code: string; reason: string }[] }[];
}

const matrix: [TestEngine, StoragePhase][] = [...sqlEngines().map((e) => [e, 'db'] as [TestEngine, StoragePhase]), ['sqlite', 'files']];

for (const [engine, phase] of matrix) {
  describe(`wanted search on the job queue (${engine}, ${phase})`, () => {
    let c: RouteCtx;
    let srv: Fake;
    let sab: Fake;
    beforeAll(async () => {
      c = await routeCtx(engine, phase);
      srv = await startTorznabServer();
      sab = await fakeSab({ apiKey: SAB_KEY });
      const ix = await c.call({
        method: 'POST',
        url: '/api/indexers',
        token: c.admin,
        payload: { name: 'Local Newznab', type: 'usenet', url: `${srv.url}/usenet`, apiKey: TORZNAB_KEY },
      });
      expect(ix.statusCode).toBe(200);
      await saveDownloaders(c, {
        qbittorrent: { enabled: false },
        nzbget: { enabled: false },
        sabnzbd: { enabled: true, baseUrl: `${sab.url}/sabnzbd`, apiKey: SAB_KEY, category: 'movies' },
      });
    });
    afterAll(async () => {
      await Promise.all([srv.close(), sab.close()]);
      await c.close();
    });
    const items = async () => (await c.call({ method: 'GET', url: '/api/wanted', token: c.user })).json<{ items: Item[] }>().items;
    const item = async (id: string) => (await items()).find((i) => i.id === id) as Item;
    const scan = (payload?: object) => c.call({ method: 'POST', url: '/api/wanted/scan', token: c.user, payload: payload ?? {} });
    const sabAdds = () => sab.requests.filter((r) => r.query.get('mode') === 'addurl');

    it('accepts year and qualityProfileId beside the legacy fields, and refuses bad ones naming the field', async () => {
      const ok = await c.call({
        method: 'POST',
        url: '/api/wanted',
        token: c.user,
        payload: { id: 'm1', title: 'Alien', kind: 'movies', year: 1979, qualityProfileId: 'hd-1080p' },
      });
      expect(ok.statusCode).toBe(200);
      expect(await item('m1')).toMatchObject({ id: 'm1', title: 'Alien', kind: 'movies', year: 1979, qualityProfileId: 'hd-1080p' });
      const before = await items();
      const badYear = await c.call({ method: 'POST', url: '/api/wanted', token: c.user, payload: { id: 'x', title: 'X', kind: 'movies', year: 'soon' } });
      expect(badYear.statusCode).toBe(400);
      expect(badYear.json<{ error: string }>().error).toMatch(/^year: /);
      const badProfile = await c.call({
        method: 'POST',
        url: '/api/wanted',
        token: c.user,
        payload: { id: 'x', title: 'X', kind: 'movies', qualityProfileId: 'nope' },
      });
      expect([badProfile.statusCode, badProfile.json()]).toEqual([400, { ok: false, error: 'qualityProfileId: no quality profile "nope"' }]);
      const legacy = await c.call({ method: 'POST', url: '/api/wanted', token: c.user, payload: { id: 'x', kind: 'movies' } });
      expect([legacy.statusCode, legacy.json<{ error: string }>().error]).toEqual([400, 'missing_params']);
      expect(await items()).toEqual(before);
    });

    it('a scan searches the indexers in a queued job and records found, approved and every rejection with its reason', async () => {
      const res = await scan();
      expect(res.statusCode).toBe(200);
      const body = res.json<{ ok: boolean; scanned: number; results: object[]; scannedAt: string }>();
      expect(body).toMatchObject({ ok: true, scanned: 1, results: [{ key: 'movies:m1', found: 7, grabbed: 0 }] });
      const m1 = await item('m1');
      expect(m1.status).toBe('wanted');
      expect(m1.lastScan).toEqual({ at: body.scannedAt, found: 7, grabbed: 0 });
      expect(m1.lastSearch).toEqual({ at: body.scannedAt, found: 7, approved: 2, grabbed: 0 });
      const codes = Object.fromEntries((m1.rejections ?? []).map((r) => [r.title, r.reasons.map((x) => x.code)]));
      expect(codes['Alien.1979.2160p.UHD.BluRay.x265-TERMiNAL']).toEqual(['quality_not_allowed']);
      expect(codes['Alien.1979.HDCAM.x264-NOGRP']).toContain('cinema_source');
      expect(codes['Alien.1979.1080p.BluRay.x264.sample-AMIABLE']).toEqual(['sample']);
      expect(codes['Alien.Resurrection.1997.1080p.BluRay.x264-SPARKS']).toContain('wrong_title');
      expect(codes['Alien.2003.1080p.WEB-DL.x264-OTHER']).toContain('wrong_year');
      expect(Object.keys(codes)).toHaveLength(5);
      expect(sabAdds()).toHaveLength(0);
    });

    it('with enqueue the best approved release is grabbed through the client for its protocol, once', async () => {
      const res = await scan({ enqueue: true });
      expect(res.json()).toMatchObject({ ok: true, scanned: 1, results: [{ key: 'movies:m1', found: 7, grabbed: 1 }] });
      expect(sabAdds()).toHaveLength(1);
      // the indexer key was put back into the link the client fetches (and only there)
      expect(sabAdds()[0].query.get('name')).toBe(`${srv.url}/usenet/download/1?apikey=${TORZNAB_KEY}`);
      const m1 = await item('m1');
      expect(m1.status).toBe('grabbed');
      expect(m1.lastSearch).toMatchObject({ found: 7, approved: 2, grabbed: 1, release: 'Alien.1979.1080p.BluRay.x264-AMIABLE' });
      const last = (await c.call({ method: 'GET', url: '/api/downloads/last?kind=movies&id=m1', token: c.user })).json<{ last: Record<string, unknown> }>()
        .last;
      expect(last).toMatchObject({ kind: 'movies', id: 'm1', title: 'Alien.1979.1080p.BluRay.x264-AMIABLE', client: 'sabnzbd', ok: true, protocol: 'usenet' });
      expect(JSON.stringify(last)).not.toContain(TORZNAB_KEY);
      // an item with a release on its way is searched again but not grabbed twice
      expect((await scan({ enqueue: true })).json()).toMatchObject({ results: [{ key: 'movies:m1', found: 7, grabbed: 0 }] });
      expect(sabAdds()).toHaveLength(1);
      expect((await item('m1')).status).toBe('grabbed');
      expectNoSecretLeak(c, [SAB_KEY, TORZNAB_KEY]);
    });

    it('the scheduled missing search is one job per interval that queues a grab search of items without a release', async () => {
      await c.call({ method: 'POST', url: '/api/wanted', token: c.user, payload: { id: 'm2', title: 'Heat', kind: 'movies', year: 1995 } });
      const queue = c.t.ctx.stores.jobs;
      const hour = 3_600_000;
      expect(await scheduleMissingSearch({ queue, now: c.t.ctx.now }, 6 * hour)).toBe(true);
      expect(await scheduleMissingSearch({ queue, now: c.t.ctx.now }, 6 * hour)).toBe(false);
      const id = missingSearchJobId(c.t.ctx.now(), 6 * hour);
      let job = await queue.get(id);
      while (job?.status !== 'completed' && job?.status !== 'failed') {
        await new Promise((r) => setTimeout(r, 50));
        job = await queue.get(id);
      }
      expect([job.status, job.result]).toEqual(['completed', { queued: 1 }]); // m1 is grabbed already
      let m2 = await item('m2');
      while (m2.lastSearch === undefined) {
        await new Promise((r) => setTimeout(r, 50));
        m2 = await item('m2');
      }
      expect(m2).toMatchObject({ status: 'wanted', lastSearch: { found: 0, approved: 0, grabbed: 0 } });
    });
  });
}
