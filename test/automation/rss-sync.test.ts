import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intervalJobId, startAutomationSchedule } from '../../src/automation/automation.schedule.js';
import { RSS_SYNC_JOB_TYPE } from '../../src/automation/rss-sync.js';
import { WANTED_SEARCH_JOB_TYPE } from '../../src/automation/wanted-search.js';
import { type Fake, fakeSab } from '../download-clients/fakes.js';
import { expectNoSecretLeak, type RouteCtx, routeCtx, SAB_KEY, saveDownloaders } from '../downloads/route-helpers.js';
import { sqlEngines } from '../helpers/engines.js';
import { startTorznabServer, TORZNAB_KEY } from '../indexer-clients/torznab-server.js';

const RELEASE = 'Alien.1979.1080p.BluRay.x264-AMIABLE';

for (const engine of sqlEngines()) {
  describe(`RSS sync and searches by stored ids (${engine})`, () => {
    let c: RouteCtx;
    let srv: Fake;
    let sab: Fake;
    beforeAll(async () => {
      c = await routeCtx(engine, 'db');
      srv = await startTorznabServer();
      sab = await fakeSab({ apiKey: SAB_KEY });
      for (const [name, path] of [
        ['Local Newznab', 'usenet'],
        ['Broken', 'broken'],
        ['Garbage', 'garbage'],
      ]) {
        const ix = await c.call({
          method: 'POST',
          url: '/api/indexers',
          token: c.admin,
          payload: { name, type: 'usenet', url: `${srv.url}/${path}`, apiKey: TORZNAB_KEY },
        });
        expect(ix.statusCode).toBe(200);
      }
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
    const item = async (id: string) =>
      (await c.call({ method: 'GET', url: '/api/wanted', token: c.user })).json<{ items: Record<string, unknown>[] }>().items.find((i) => i.id === id);
    const runJob = async (type: string, payload: object = {}) => {
      const queue = c.t.ctx.stores.jobs;
      const jobId = await queue.enqueue(type, payload, { now: c.t.ctx.now() });
      let job = await queue.get(jobId);
      while (job?.status === 'queued' || job?.status === 'running') {
        await new Promise((r) => setTimeout(r, 50));
        job = await queue.get(jobId);
      }
      return job;
    };
    const apiCalls = (path: string) => srv.requests.filter((r) => r.path === `/${path}/api` && r.query.get('t') !== 'caps');

    it('POST /api/wanted keeps imdbId/tmdbId/tvdbId/season/episode and refuses bad ones naming the field', async () => {
      const ok = await c.call({
        method: 'POST',
        url: '/api/wanted',
        token: c.user,
        payload: { id: 'alien', title: 'Alien', kind: 'movies', year: 1979, imdbId: 'tt0078748', tmdbId: 348, qualityProfileId: 'hd-1080p' },
      });
      expect(ok.statusCode).toBe(200);
      expect(await item('alien')).toMatchObject({ imdbId: 'tt0078748', tmdbId: 348, year: 1979 });
      for (const [payload, field] of [
        [{ imdbId: 'nm123' }, 'imdbId'],
        [{ tmdbId: -1 }, 'tmdbId'],
        [{ tvdbId: 'x' }, 'tvdbId'],
        [{ season: 1.5 }, 'season'],
      ] as const) {
        const bad = await c.call({ method: 'POST', url: '/api/wanted', token: c.user, payload: { id: 'bad', title: 'Bad', kind: 'tv', ...payload } });
        expect(bad.statusCode).toBe(400);
        expect(bad.json<{ error: string }>().error).toMatch(new RegExp(`^${field}: `));
      }
      expect(await item('bad')).toBeUndefined();
    });

    it('a wanted search sends the stored ids and year where the caps list them (t=movie: q, imdbid, year)', async () => {
      const job = await runJob(WANTED_SEARCH_JOB_TYPE, { kind: 'movies', id: 'alien', enqueue: false });
      expect(job?.status).toBe('completed');
      const call = apiCalls('usenet').at(-1);
      expect(Object.fromEntries(call?.query ?? [])).toEqual({ t: 'movie', q: 'Alien', imdbid: '0078748', year: '1979', apikey: TORZNAB_KEY });
      // tmdbid is not in this indexer's movie-search supportedParams: not sent
      expect(call?.query.has('tmdbid')).toBe(false);
    });

    it('the RSS sync fetches each feed once (t=search, no q), grabs the best approved release per wanted item, and reports failing indexers', async () => {
      await c.call({ method: 'POST', url: '/api/wanted', token: c.user, payload: { id: 'heat', title: 'Heat', kind: 'movies', year: 1995 } });
      const before = apiCalls('usenet').length;
      const job = await runJob(RSS_SYNC_JOB_TYPE);
      expect(job?.status).toBe('completed');
      const feeds = apiCalls('usenet').slice(before);
      expect(feeds.map((r) => Object.fromEntries(r.query))).toEqual([{ t: 'search', apikey: TORZNAB_KEY }]);
      const result = job?.result as { releases: number; checked: number; grabbed: Record<string, string>; errors: string[] };
      expect(result).toMatchObject({ releases: 7, checked: 2, grabbed: { 'movies:alien': RELEASE } });
      // reported per indexer; backed off since the search above failed on them too
      expect(result.errors).toEqual([
        expect.stringMatching(/^Broken: disabled after 1 failures: HTTP 500/),
        expect.stringMatching(/^Garbage: disabled after 1 failures: invalid_response: not XML/),
      ]);
      const adds = sab.requests.filter((r) => r.query.get('mode') === 'addurl');
      expect(adds.map((r) => r.query.get('name'))).toEqual([`${srv.url}/usenet/download/1?apikey=${TORZNAB_KEY}`]);
      expect(await item('alien')).toMatchObject({ status: 'grabbed', lastRssGrab: { release: RELEASE } });
      expect((await item('heat'))?.status ?? 'wanted').toBe('wanted');
      // the next sync leaves an item with a release on its way alone
      const again = await runJob(RSS_SYNC_JOB_TYPE);
      expect(again?.result).toMatchObject({ checked: 1, grabbed: {} });
      expect(sab.requests.filter((r) => r.query.get('mode') === 'addurl')).toHaveLength(1);
      expectNoSecretLeak(c, [SAB_KEY, TORZNAB_KEY]);
    });

    it('a grab the client refuses is reported with the item and the release; the item stays wanted', async () => {
      await c.call({ method: 'POST', url: '/api/wanted', token: c.user, payload: { id: 'alien-2', title: 'Alien', kind: 'movies', year: 1979 } });
      await saveDownloaders(c, { qbittorrent: { enabled: false }, nzbget: { enabled: false }, sabnzbd: { enabled: false } });
      const job = await runJob(RSS_SYNC_JOB_TYPE);
      const result = job?.result as { grabbed: Record<string, string>; errors: string[] };
      expect(result.grabbed).toEqual({});
      expect(result.errors).toContainEqual(expect.stringMatching(new RegExp(`^movies:alien-2: grab of "${RELEASE}" failed: `)));
      expect((await item('alien-2'))?.status ?? 'wanted').toBe('wanted');
    });

    it('serve queues one RSS sync per interval; 0 minutes turns it off', async () => {
      const queue = c.t.ctx.stores.jobs;
      const base = { queue, now: c.t.ctx.now, missingSearchHours: 0, trackSeconds: 0, hasOpenGrabs: async () => false };
      const warn = { warn: () => {} };
      const off = startAutomationSchedule({ ...base, rssSyncMinutes: 0 }, warn);
      await off.first;
      off.stop();
      const id = intervalJobId(RSS_SYNC_JOB_TYPE, c.t.ctx.now(), 15 * 60_000);
      expect(await queue.get(id)).toBeUndefined();
      for (let i = 0; i < 2; i++) {
        const on = startAutomationSchedule({ ...base, rssSyncMinutes: 15 }, warn);
        await on.first;
        on.stop();
      }
      expect(await queue.get(id)).toMatchObject({ id, type: RSS_SYNC_JOB_TYPE });
    });
  });
}
