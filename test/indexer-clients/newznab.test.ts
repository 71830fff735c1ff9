import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiUrl, itemsToHits, torznabCaps, torznabItems } from '../../src/indexer-clients/newznab.js';
import { parseCaps } from '../../src/indexer-clients/torznab.js';
import type { Fake } from '../download-clients/fakes.js';
import { ALIEN_RELEASES, CAPS_XML, MB, startTorznabServer, TORZNAB_KEY } from './torznab-server.js';

describe('torznab/newznab adapter against a spec-faithful local server', () => {
  let srv: Fake;
  beforeAll(async () => {
    srv = await startTorznabServer();
  });
  afterAll(async () => srv.close());

  it('builds the api URL from a base with or without /api', () => {
    expect(apiUrl('http://h:9117/api/v2.0/indexers/x/results/torznab/')).toBe('http://h:9117/api/v2.0/indexers/x/results/torznab/api');
    expect(apiUrl('https://nzb.example/api')).toBe('https://nzb.example/api');
    expect(apiUrl('https://nzb.example')).toBe('https://nzb.example/api');
  });

  it('reads caps: available functions with their parameters, categories with subcats, limits', async () => {
    const caps = await torznabCaps({ baseUrl: `${srv.url}/good`, apiKey: TORZNAB_KEY });
    expect(srv.requests.at(-1)!.query.get('t')).toBe('caps');
    expect(caps).toStrictEqual(parseCaps(CAPS_XML));
    expect(caps.searching).toStrictEqual({
      search: ['q'],
      tvsearch: ['q', 'season', 'ep', 'tvdbid'],
      movie: ['q', 'imdbid', 'year'],
      book: ['q', 'author', 'title'],
    });
    expect(caps.categories.map((c) => c.id)).toEqual(['2000', '2040', '2045', '5000', '5040']);
    expect(caps.limits).toEqual({ max: 100, default: 50 });
  });

  it('searches with t=movie and reads torznab:attr seeders/peers/size/category', async () => {
    const items = await torznabItems({ baseUrl: `${srv.url}/good`, apiKey: TORZNAB_KEY }, 'movie', { q: 'Alien 1979', cat: '2000,2040' });
    const req = srv.requests.at(-1)!;
    expect([req.path, req.query.get('t'), req.query.get('q'), req.query.get('cat'), req.query.get('apikey')]).toEqual([
      '/good/api',
      'movie',
      'Alien 1979',
      '2000,2040',
      TORZNAB_KEY,
    ]);
    expect(items).toHaveLength(5);
    const hits = itemsToHits(items, 'torrent', 'Local');
    expect(hits[0]).toStrictEqual({
      title: 'Alien.1979.1080p.BluRay.x264-AMIABLE',
      link: `${srv.url}/good/download/1?apikey=${TORZNAB_KEY}`,
      protocol: 'torrent',
      size: 8_000 * MB,
      seeders: 120,
      leechers: 20,
      indexer: 'Local',
      publishDate: 'Sun, 01 Dec 2024 10:00:00 +0000',
      categories: ['2040'],
      guid: `${srv.url}/good/details/1`,
    });
  });

  it('reads newznab feeds (usenet: the enclosure is the NZB)', async () => {
    const items = await torznabItems({ baseUrl: `${srv.url}/usenet`, apiKey: TORZNAB_KEY }, 'search', { q: 'Resurrection' });
    const hits = itemsToHits(items, 'usenet');
    expect(hits).toEqual([
      expect.objectContaining({
        title: ALIEN_RELEASES[4].title,
        protocol: 'usenet',
        size: 9_000 * MB,
        link: `${srv.url}/usenet/download/5?apikey=${TORZNAB_KEY}`,
      }),
    ]);
    expect(hits[0].seeders).toBeUndefined();
  });

  it('turns error documents, HTTP errors, garbage and silence into safe messages', async () => {
    const s = (mode: string, apiKey = TORZNAB_KEY) => ({ baseUrl: `${srv.url}/${mode}`, apiKey, timeoutMs: 300 });
    await expect(torznabItems(s('good', 'wrong-key-0123456789'), 'search', { q: 'x' })).rejects.toThrow('torznab error 100: Incorrect user credentials');
    await expect(torznabItems(s('good'), 'music', { q: 'x' })).rejects.toThrow('torznab error 203: Function not available');
    await expect(torznabCaps(s('nocaps'))).rejects.toThrow('torznab error 203');
    await expect(torznabItems(s('broken'), 'search', { q: 'x' })).rejects.toThrow('HTTP 500');
    await expect(torznabItems(s('garbage'), 'search', { q: 'x' })).rejects.toThrow(/^invalid_response: not XML/);
    await expect(torznabItems(s('hang'), 'search', { q: 'x' })).rejects.toThrow('timeout after 300 ms');
  });
});
