import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBlocklistSql } from '../../src/automation/blocklist.sql.js';
import { parseCaps } from '../../src/indexer-clients/torznab.js';
import { BACKOFF_STEPS_MS } from '../../src/indexers/indexers.backoff.js';
import { manualKeyMarker, resolveManualLink } from '../../src/indexers/indexers.links.js';
import { searchFunctionFor, searchRequest } from '../../src/indexers/indexers.manual.js';
import { createIndexersService } from '../../src/indexers/indexers.service.js';
import { createIndexersStore } from '../../src/indexers/indexers.store.js';
import type { IndexerConfig } from '../../src/indexers/indexers.types.js';
import { createQualityStore } from '../../src/quality/quality.store.js';
import type { Fake } from '../download-clients/fakes.js';
import { type StoreFixture, storeBackends, storeFixture } from '../downloaders/store-context.js';
import { CAPS_XML, startTorznabServer, TORZNAB_KEY } from '../indexer-clients/torznab-server.js';

type Service = ReturnType<typeof createIndexersService>;
/** One entry of GET /api/indexers, typed. */
const shownIndexer = async (s: Service, pick: (i: IndexerConfig) => boolean): Promise<IndexerConfig> => {
  const found = ((await s.view()).indexers as IndexerConfig[]).find(pick);
  if (!found) throw new Error('indexer not listed');
  return found;
};

const MIN = 60_000;
const T0 = Date.parse('2025-03-01T12:00:00.000Z');

describe('search functions and parameters from caps', () => {
  const caps = parseCaps(CAPS_XML);
  it('maps kinds to functions and falls back to search when caps do not allow it', () => {
    expect(['movies', 'tv', 'music', 'books', 'other', undefined].map(searchFunctionFor)).toEqual(['movie', 'tvsearch', 'music', 'book', 'search', 'search']);
    expect(searchRequest(caps, { q: 'Alien', kind: 'movies', year: 1979 }, [2000])).toEqual({ fn: 'movie', params: { q: 'Alien', year: '1979', cat: '2000' } });
    expect(searchRequest(caps, { q: 'Show', kind: 'tv', season: 1, episode: 2 }, undefined)).toEqual({
      fn: 'tvsearch',
      params: { q: 'Show', season: '1', ep: '2' },
    });
    expect(searchRequest(caps, { q: 'Band', kind: 'music' }, [])).toEqual({ fn: 'search', params: { q: 'Band' } });
    expect(searchRequest(undefined, { q: 'Alien', kind: 'movies', year: 1979 }, undefined)).toEqual({ fn: 'search', params: { q: 'Alien' } });
  });
});

for (const b of storeBackends()) {
  describe(`manual Torznab/Newznab indexers (${b.label})`, () => {
    let f: StoreFixture;
    let srv: Fake;
    let clock = T0;
    const logs: string[] = [];
    beforeAll(async () => {
      f = await storeFixture(b.engine, b.phase);
      srv = await startTorznabServer();
    });
    afterAll(async () => {
      await srv.close();
      await f.cleanup();
    });
    const service = () =>
      createIndexersService({
        indexers: createIndexersStore(f.ctx),
        quality: createQualityStore(f.ctx),
        log: { warn: (o, m) => logs.push(JSON.stringify({ ...o, msg: m })) },
        timeouts: { search: 400 },
        now: () => clock,
        blocklist: createBlocklistSql(f.ctx.db.kysely),
      });

    it('searches every manual indexer; one failing (500, garbage, timeout) does not hide the others', async () => {
      const s = service();
      const add = (name: string, mode: string, extra: object = {}) =>
        s.create({ name, type: 'torrent', url: `${srv.url}/${mode}`, apiKey: TORZNAB_KEY, ...extra }) as Promise<IndexerConfig>;
      const good = await add('Good', 'good', { categories: [2000, 2040] });
      expect(good).toStrictEqual({
        id: good.id,
        name: 'Good',
        type: 'manual',
        protocol: 'torrent',
        enabled: true,
        baseUrl: `${srv.url}/good`,
        implementation: 'torznab',
        categories: [2000, 2040],
        hasApiKey: true,
      });
      const nzb = (await s.create({ name: 'Usenet', type: 'usenet', url: `${srv.url}/usenet`, apiKey: TORZNAB_KEY })) as IndexerConfig;
      expect(nzb.implementation).toBe('newznab');
      const broken = await add('Broken', 'broken');
      const garbage = await add('Garbage', 'garbage');
      const hang = await add('Hang', 'hang');

      const r = await s.search({ q: 'Alien 1979', kind: 'movies', year: 1979 });
      const titles = r.results.map((x) => `${x.protocol}:${x.title}`);
      expect(titles).toContain('torrent:Alien.1979.1080p.BluRay.x264-AMIABLE');
      expect(titles).toContain('usenet:Alien.1979.1080p.BluRay.x264-AMIABLE');
      expect(r.results.filter((x) => x.protocol === 'torrent')).toHaveLength(5);
      expect(r.results[0]).toMatchObject({ title: 'Alien.1979.HDCAM.x264-NOGRP', seeders: 500, leechers: 20, size: '1.4GB', indexer: 'Good' });
      for (const x of r.results) {
        expect(x.link).not.toContain(TORZNAB_KEY);
        expect(x.link).toContain(x.protocol === 'torrent' ? manualKeyMarker(good.id) : manualKeyMarker(nzb.id));
      }
      expect(resolveManualLink(r.results[0].link, [{ id: good.id, apiKey: TORZNAB_KEY }])).toBe(`${srv.url}/good/download/3?apikey=${TORZNAB_KEY}`);
      expect(r.errors).toEqual([
        { source: 'indexer', id: broken.id, indexer: 'Broken', error: 'HTTP 500' },
        { source: 'indexer', id: garbage.id, indexer: 'Garbage', error: expect.stringMatching(/^invalid_response: not XML/) },
        { source: 'indexer', id: hang.id, indexer: 'Hang', error: 'timeout after 400 ms' },
      ]);
      // caps were read once, then t=movie with the indexer's categories and the year the caps allow
      const goodCalls = srv.requests.filter((q) => q.path === '/good/api');
      expect(goodCalls.map((q) => q.query.get('t'))).toEqual(['caps', 'movie']);
      expect([goodCalls[1].query.get('cat'), goodCalls[1].query.get('year')]).toEqual(['2000,2040', '1979']);
      const view = await s.view();
      const shown = await shownIndexer(s, (i) => i.id === good.id);
      expect(shown.caps?.searching.movie).toEqual(['q', 'imdbid', 'year']);
      expect(JSON.stringify(view)).not.toContain(TORZNAB_KEY);
      expect(logs.join('\n')).not.toContain(TORZNAB_KEY);
      if (b.phase === 'files') expect(readFileSync(join(f.configDir, 'indexers.json'), 'utf8')).not.toContain(TORZNAB_KEY);

      await s.search({ q: 'Alien 1979', kind: 'movies' });
      expect(srv.requests.filter((q) => q.path === '/good/api').map((q) => q.query.get('t'))).toEqual(['caps', 'movie', 'movie']);
    });

    it('answers the decision per result when the search names a wanted title', async () => {
      const s = service();
      await createBlocklistSql(f.ctx.db.kysely).add({ title: 'Alien.1979.720p.BluRay.x264-SiNNERS', reason: 'download failed' });
      const r = await s.search({ q: 'Alien', kind: 'movies', title: 'Alien', year: 1979, protocol: 'torrent' });
      const verdicts = Object.fromEntries(
        r.results.filter((x) => x.indexer === 'Good').map((x) => [x.title, [x.approved, (x.rejections ?? []).map((j) => j.code)]]),
      );
      expect(verdicts).toEqual({
        'Alien.1979.1080p.BluRay.x264-AMIABLE': [true, []],
        'Alien.1979.720p.BluRay.x264-SiNNERS': [false, ['blocklisted']],
        'Alien.1979.2160p.UHD.BluRay.x265-TERMiNAL': [false, ['quality_not_allowed']],
        'Alien.1979.HDCAM.x264-NOGRP': [false, ['cinema_source', 'unknown_quality']],
        'Alien.1979.1080p.BluRay.x264.sample-AMIABLE': [false, ['sample']],
        'Alien.Resurrection.1997.1080p.BluRay.x264-SPARKS': [false, ['wrong_title', 'wrong_year']],
        'Alien.2003.1080p.WEB-DL.x264-OTHER': [false, ['wrong_year']],
      });
      // Without a title the answer keeps the legacy shape.
      const plain = await s.search({ q: 'Alien', protocol: 'torrent' });
      expect(plain.results[0]).not.toHaveProperty('approved');
    });

    it('backs a failing indexer off (5 min, 15 min, ... 24 h), shows why in the list, and clears it on success', async () => {
      const s = service();
      const broken = await shownIndexer(s, (i) => i.name === 'Broken');
      // Already failed once (5 min); searching inside the window does not call it.
      expect((await shownIndexer(s, (i) => i.id === broken.id)).status).toEqual({
        failures: 1,
        disabledUntil: new Date(T0 + 5 * MIN).toISOString(),
        lastError: 'HTTP 500',
      });
      const before = srv.requests.length;
      const skipped = await s.search({ q: 'Alien' });
      expect(srv.requests.slice(before).some((q) => q.path.startsWith('/broken'))).toBe(false);
      expect(skipped.errors).toContainEqual({
        source: 'indexer',
        id: broken.id,
        indexer: 'Broken',
        error: 'disabled after 1 failures: HTTP 500',
        disabledUntil: new Date(T0 + 5 * MIN).toISOString(),
      });
      for (let n = 2; n <= 10; n++) {
        clock = Date.parse((await shownIndexer(s, (i) => i.id === broken.id)).status!.disabledUntil);
        await s.search({ q: 'Alien' });
        const st = (await shownIndexer(s, (i) => i.id === broken.id)).status!;
        expect(st.failures).toBe(n);
        expect(Date.parse(st.disabledUntil) - clock).toBe(BACKOFF_STEPS_MS[Math.min(n, 8) - 1]);
      }
      expect(BACKOFF_STEPS_MS.map((ms) => ms / MIN)).toEqual([5, 15, 30, 60, 180, 360, 720, 1440]);
      // One good answer after the window clears the status.
      const flaky = (await s.create({ name: 'Flaky', type: 'torrent', url: `${srv.url}/flaky`, apiKey: TORZNAB_KEY })) as IndexerConfig;
      await s.search({ q: 'Alien' });
      const failed = (await shownIndexer(s, (i) => i.id === flaky.id)).status!;
      expect(failed).toMatchObject({ failures: 1, lastError: 'HTTP 500' });
      clock = Date.parse(failed.disabledUntil);
      const ok = await s.search({ q: 'Alien' });
      expect(ok.results.some((x) => x.link.includes(manualKeyMarker(flaky.id)))).toBe(true);
      expect((await shownIndexer(s, (i) => i.id === flaky.id)).status).toBeUndefined();
    });
  });
}
