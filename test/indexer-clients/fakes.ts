import type { ServerResponse } from 'node:http';
import { type Fake, startFake } from '../download-clients/fakes.js';

export { type Fake, hangingServer } from '../download-clients/fakes.js';

/**
 * Fake Prowlarr and Jackett on 127.0.0.1 (port 0). Each refuses any request whose key is not the
 * expected (decrypted) one, so a passing test proves what our server sent.
 */

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

export const PROWLARR_VERSION = '1.30.2.4939';
export const JACKETT_VERSION = '0.22.1090';

export const PROWLARR_INDEXERS = [
  { id: 3, name: 'NyaaSi', protocol: 'torrent', privacy: 'public', enable: true, priority: 25, capabilities: { categories: [{ id: 2000 }] } },
  { id: 12, name: 'NZBgeek', protocol: 'usenet', privacy: 'private', enable: false, priority: 10 },
  { id: 14, name: 'NoPriority', protocol: 'torrent', enable: true },
];

export const prowlarrResults = (key: string) => [
  {
    guid: 'g1',
    title: 'Heat 1995 1080p BluRay x264',
    size: 1503238554,
    publishDate: '2024-01-02T03:04:05Z',
    magnetUrl: 'magnet:?xt=urn:btih:aaa',
    downloadUrl: 'http://dl/1',
    indexer: 'NyaaSi',
    protocol: 'torrent',
    seeders: 50,
    leechers: 3,
  },
  {
    guid: 'g2',
    title: 'Heat 1995 2160p UHD',
    size: 53687091200,
    downloadUrl: `http://prowlarr/2/download?apikey=${key}&link=abc`,
    indexer: 'NyaaSi',
    protocol: 'torrent',
    seeders: 120,
    leechers: 9,
  },
  { guid: 'g3', title: 'Heat 1995 720p NZB', size: 734003200, downloadUrl: 'http://nzb/3', indexer: 'NZBgeek', protocol: 'usenet' },
  { guid: 'g4', title: 'Heat 1995 480p DVDRip', size: 367001600, magnetUrl: 'magnet:?xt=urn:btih:ddd', indexer: 'NyaaSi', protocol: 'torrent', seeders: 1 },
  { guid: 'g5', title: 'no link at all', size: 1, protocol: 'torrent', seeders: 999 },
];

export function fakeProwlarr(opts: { apiKey: string; indexers?: object[]; results?: object[] }): Promise<Fake> {
  return startFake((req, res) => {
    if (req.headers['x-api-key'] !== opts.apiKey) return send(res, 401, { message: 'Unauthorized' });
    switch (req.path) {
      case '/api/v1/system/status':
        return send(res, 200, { appName: 'Prowlarr', version: PROWLARR_VERSION });
      case '/api/v1/indexer':
        return send(res, 200, opts.indexers ?? PROWLARR_INDEXERS);
      case '/api/v1/search':
        return send(res, 200, opts.results ?? prowlarrResults(opts.apiKey));
      default:
        return send(res, 404, { message: 'Not Found' });
    }
  });
}

export const JACKETT_INDEXERS = [
  { id: '1337x', name: '1337x', type: 'public', configured: true, caps: [] },
  { id: 'rarbg', name: 'RARBG', type: 'public', configured: false },
];

/** A Torznab reply: CDATA, entities, comments, attrs, an item without size and one with markup in CDATA. */
export const torznabXml = (key: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:torznab="http://torznab.com/schemas/2015/feed">
  <channel>
    <title>AggregateSearch</title>
    <!-- <item><title>commented out</title></item> -->
    <item>
      <title><![CDATA[Heat 1995 1080p </item> & Friends]]></title>
      <guid>https://1337x.to/torrent/1</guid>
      <jackettindexer id="1337x">1337x</jackettindexer>
      <link>https://jackett/dl/1337x/?jackett_apikey=${key}&amp;path=abc</link>
      <pubDate>Tue, 02 Jan 2024 03:04:05 +0000</pubDate>
      <size>2254857830</size>
      <category>2000</category>
      <category>2040</category>
      <enclosure url="https://jackett/dl/1337x/?path=abc" length="2254857830" type="application/x-bittorrent" />
      <torznab:attr name="seeders" value="80" />
      <torznab:attr name="peers" value="95" />
      <torznab:attr name="magneturl" value="magnet:?xt=urn:btih:bbb&amp;dn=Heat" />
      <torznab:attr name="infohash" value="bbb" />
    </item>
    <item>
      <title>Heat &amp; Dust 720p &#x26;&#38;</title>
      <link>https://jackett/dl/2/?jackett_apikey=${key}&amp;path=def</link>
      <torznab:attr name="seeders" value="7"/>
      <torznab:attr name="size" value="1073741824"/>
    </item>
    <item><title>No link</title></item>
  </channel>
</rss>`;

export function fakeJackett(opts: { apiKey: string; bearer?: boolean; indexers?: object[]; xml?: string }): Promise<Fake> {
  return startFake((req, res) => {
    const queryKey = req.query.get('apikey');
    if (req.path === '/api/v2.0/server/config') {
      const bearerOk = opts.bearer !== false && req.headers.authorization === `Bearer ${opts.apiKey}`;
      if (bearerOk || queryKey === opts.apiKey) return send(res, 200, { app_version: JACKETT_VERSION, port: 9117 });
      res.writeHead(302, { location: '/UI/Login' });
      return res.end();
    }
    if (req.path === '/api/v2.0/indexers') {
      if (queryKey !== opts.apiKey) return send(res, 401, 'Unauthorized', 'text/plain');
      return send(res, 200, req.query.get('configured') === 'true' ? (opts.indexers ?? JACKETT_INDEXERS) : []);
    }
    if (req.path === '/api/v2.0/indexers/all/results/torznab/api') {
      if (queryKey !== opts.apiKey)
        return send(res, 200, '<?xml version="1.0" encoding="UTF-8"?>\n<error code="100" description="Invalid API Key" />', 'application/xml');
      return send(res, 200, opts.xml ?? torznabXml(opts.apiKey), 'application/rss+xml');
    }
    return send(res, 404, 'Not Found', 'text/plain');
  });
}
