import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClientError } from '../../src/http-client/http.js';
import { jackettIndexers, jackettSearch, jackettTest } from '../../src/indexer-clients/jackett.js';
import { prowlarrIndexers, prowlarrSearch, prowlarrTest } from '../../src/indexer-clients/prowlarr.js';
import { parseTorznab, parseTorznabError } from '../../src/indexer-clients/torznab.js';
import { startFake } from '../download-clients/fakes.js';
import { type Fake, fakeJackett, fakeProwlarr, hangingServer, JACKETT_VERSION, PROWLARR_VERSION, torznabXml } from './fakes.js';

const P_KEY = 'prowlarr-api-key-0123456789abcdef';
const J_KEY = 'jackett-api-key-abcdefghijklmnop';

describe('torznab parser', () => {
  it('reads items with CDATA, entities, attrs and enclosures; ignores comments', () => {
    const items = parseTorznab(torznabXml('K'));
    expect(items).toHaveLength(3);
    expect(items[0]).toMatchObject({
      title: 'Heat 1995 1080p </item> & Friends',
      guid: 'https://1337x.to/torrent/1',
      link: 'https://jackett/dl/1337x/?jackett_apikey=K&path=abc',
      pubDate: 'Tue, 02 Jan 2024 03:04:05 +0000',
      size: 2254857830,
      categories: ['2000', '2040'],
      indexer: '1337x',
      indexerId: '1337x',
      enclosure: { url: 'https://jackett/dl/1337x/?path=abc', length: 2254857830, type: 'application/x-bittorrent' },
    });
    expect(items[0].attrs).toStrictEqual({ seeders: '80', peers: '95', magneturl: 'magnet:?xt=urn:btih:bbb&dn=Heat', infohash: 'bbb' });
    expect(items[1].title).toBe('Heat & Dust 720p &&');
    expect(items[1].size).toBe(1073741824); // from the size attr
    expect(items[2]).toStrictEqual({ title: 'No link', categories: [], attrs: {} });
  });

  it('handles empty feeds, errors and odd entities', () => {
    expect(parseTorznab('<rss><channel></channel></rss>')).toEqual([]);
    expect(() => parseTorznab('')).toThrow('invalid_response: empty reply');
    expect(() => parseTorznab('<rss><channel><item></channel></rss>')).toThrow(/^invalid_response: not XML/);
    expect(parseTorznabError('<?xml version="1.0"?>\n<error code="100" description="Invalid API Key" />')).toEqual({
      code: '100',
      description: 'Invalid API Key',
    });
    expect(parseTorznabError('<rss/>')).toBeUndefined();
    expect(parseTorznab('<rss><channel><item><title>&lt;a&gt; &#169; &#xA9; &amp;</title></item></channel></rss>')[0].title).toBe('<a> © © &');
  });
});

describe('prowlarr adapter', () => {
  let p: Fake;
  beforeAll(async () => {
    p = await fakeProwlarr({ apiKey: P_KEY });
  });
  afterAll(async () => p.close());

  it('tests with the X-Api-Key header (never in the URL)', async () => {
    expect(await prowlarrTest({ baseUrl: p.url, apiKey: P_KEY })).toEqual({ ok: true, version: PROWLARR_VERSION });
    const req = p.requests.at(-1)!;
    expect(req.path).toBe('/api/v1/system/status');
    expect(req.headers['x-api-key']).toBe(P_KEY);
    expect(req.query.toString()).not.toContain(P_KEY);
    expect(await prowlarrTest({ baseUrl: p.url, apiKey: 'wrong-key' })).toEqual({ ok: false, error: 'HTTP 401' });
    expect(await prowlarrTest({ baseUrl: `${p.url}/sub/`, apiKey: P_KEY })).toEqual({ ok: false, error: 'HTTP 404' });
    expect(p.requests.at(-1)!.path).toBe('/sub/api/v1/system/status');
    expect(await prowlarrTest({ baseUrl: 'ftp://x', apiKey: P_KEY })).toEqual({ ok: false, error: 'invalid_baseUrl' });
  });

  it('lists indexers and searches', async () => {
    expect(await prowlarrIndexers({ baseUrl: p.url, apiKey: P_KEY })).toEqual([
      { id: '3', name: 'NyaaSi', protocol: 'torrent', enabled: true, priority: 25 },
      { id: '12', name: 'NZBgeek', protocol: 'usenet', enabled: false, priority: 10 },
      { id: '14', name: 'NoPriority', protocol: 'torrent', enabled: true, priority: 25 },
    ]);
    const hits = await prowlarrSearch({ baseUrl: p.url, apiKey: P_KEY }, 'Heat 1995');
    const req = p.requests.at(-1)!;
    expect(req.query.get('query')).toBe('Heat 1995');
    expect(req.query.get('type')).toBe('search');
    expect(hits.map((h) => h.title)).toEqual(['Heat 1995 1080p BluRay x264', 'Heat 1995 2160p UHD', 'Heat 1995 720p NZB', 'Heat 1995 480p DVDRip']);
    expect(hits[0]).toEqual({
      title: 'Heat 1995 1080p BluRay x264',
      size: 1503238554,
      seeders: 50,
      leechers: 3,
      link: 'magnet:?xt=urn:btih:aaa',
      protocol: 'torrent',
      indexer: 'NyaaSi',
      publishDate: '2024-01-02T03:04:05Z',
    });
    await expect(prowlarrIndexers({ baseUrl: p.url, apiKey: 'bad' })).rejects.toThrow(ClientError);
    await expect(prowlarrSearch({ baseUrl: p.url, apiKey: 'bad' }, 'x')).rejects.toThrow('HTTP 401');
  });
});

describe('jackett adapter', () => {
  let j: Fake;
  let noBearer: Fake;
  beforeAll(async () => {
    j = await fakeJackett({ apiKey: J_KEY });
    noBearer = await fakeJackett({ apiKey: J_KEY, bearer: false });
  });
  afterAll(async () => Promise.all([j.close(), noBearer.close()]));

  it('tests with a Bearer header, falling back to ?apikey=', async () => {
    expect(await jackettTest({ baseUrl: j.url, apiKey: J_KEY })).toEqual({ ok: true, version: JACKETT_VERSION });
    expect(j.requests.at(-1)!.headers.authorization).toBe(`Bearer ${J_KEY}`);
    expect(await jackettTest({ baseUrl: noBearer.url, apiKey: J_KEY })).toEqual({ ok: true, version: JACKETT_VERSION });
    expect(noBearer.requests.at(-1)!.query.get('apikey')).toBe(J_KEY);
    expect(await jackettTest({ baseUrl: j.url, apiKey: 'wrong' })).toEqual({ ok: false, error: 'HTTP 302' });
  });

  it('lists configured indexers and searches Torznab', async () => {
    expect(await jackettIndexers({ baseUrl: j.url, apiKey: J_KEY })).toEqual([
      { id: '1337x', name: '1337x', protocol: 'torrent', enabled: true },
      { id: 'rarbg', name: 'RARBG', protocol: 'torrent', enabled: false },
    ]);
    expect(j.requests.at(-1)!.query.get('configured')).toBe('true');
    const hits = await jackettSearch({ baseUrl: j.url, apiKey: J_KEY }, 'Heat');
    expect(j.requests.at(-1)!.query.get('t')).toBe('search');
    expect(j.requests.at(-1)!.query.get('q')).toBe('Heat');
    expect(hits).toEqual([
      {
        title: 'Heat 1995 1080p </item> & Friends',
        size: 2254857830,
        seeders: 80,
        leechers: 15,
        link: 'magnet:?xt=urn:btih:bbb&dn=Heat',
        protocol: 'torrent',
        indexer: '1337x',
        publishDate: 'Tue, 02 Jan 2024 03:04:05 +0000',
        categories: ['2000', '2040'],
        guid: 'https://1337x.to/torrent/1',
      },
      { title: 'Heat & Dust 720p &&', size: 1073741824, seeders: 7, link: `https://jackett/dl/2/?jackett_apikey=${J_KEY}&path=def`, protocol: 'torrent' },
    ]);
    await expect(jackettSearch({ baseUrl: j.url, apiKey: 'bad' }, 'Heat')).rejects.toThrow('torznab error 100: Invalid API Key');
  });
});

describe('a Torznab error that echoes the request', () => {
  let e: Fake;
  afterEach(async () => e?.close());
  it('never carries the API key, even when the message is shortened across it', async () => {
    const key = `jackett-key-${'k'.repeat(40)}`;
    const description = `${'x'.repeat(100)} /api?apikey=${key}&t=search`;
    e = await startFake((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0"?><error code="900" description="${description}" />`);
    });
    const err = await jackettSearch({ baseUrl: e.url, apiKey: key }, 'Heat').catch((x: Error) => x);
    expect(String((err as Error).message)).toMatch(/^torznab error 900/);
    expect(String((err as Error).message)).not.toContain(key.slice(0, 12 + 8));
    expect(String((err as Error).message)).not.toContain('kkkkkkkk');
  });
});

describe('timeouts', () => {
  let h: Fake;
  beforeAll(async () => {
    h = await hangingServer();
  });
  afterAll(async () => h.close());

  it('gives up on a server that never answers, with a safe message', async () => {
    expect(await prowlarrTest({ baseUrl: h.url, apiKey: P_KEY, timeoutMs: 200 })).toEqual({ ok: false, error: 'timeout after 200 ms' });
    expect(await jackettTest({ baseUrl: h.url, apiKey: J_KEY, timeoutMs: 200 })).toEqual({ ok: false, error: 'timeout after 200 ms' });
    await expect(prowlarrSearch({ baseUrl: h.url, apiKey: P_KEY, timeoutMs: 200 }, 'x')).rejects.toThrow('timeout after 200 ms');
    await expect(jackettIndexers({ baseUrl: h.url, apiKey: J_KEY, timeoutMs: 200 })).rejects.toThrow('timeout after 200 ms');
  });

  it('reports a refused connection', async () => {
    const closed = await hangingServer();
    await closed.close();
    const r = await prowlarrTest({ baseUrl: closed.url, apiKey: P_KEY, timeoutMs: 2000 });
    expect(r).toEqual({ ok: false, error: 'connection_refused' });
  });
});
