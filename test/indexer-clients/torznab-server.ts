import type { ServerResponse } from 'node:http';
import { type Fake, type Received, startFake } from '../download-clients/fakes.js';

/**
 * A local Torznab/Newznab endpoint on 127.0.0.1 that answers as the specs say: `t=caps` (the
 * `searching` element with available="yes"/"no" and supportedParams, categories with subcats),
 * RSS 2.0 results with `torznab:attr` (or `newznab:attr`) seeders/peers/size/category, and
 * `<error code="..." description="..."/>` documents (100: bad key, 203: function not available).
 * Paths pick a behaviour: /good, /usenet, /broken (HTTP 500), /garbage (not XML), /hang (never
 * answers), /nocaps (error 203 on caps, results on search), /flaky (HTTP 500 on its first request only).
 */

export const TORZNAB_KEY = 'torznab-local-key-4c1d9e0f2a3b';
export const MB = 1024 * 1024;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export const CAPS_XML = `<?xml version="1.0" encoding="UTF-8"?>
<caps>
  <server version="1.0" title="Local Torznab" strapline="spec fixture" />
  <limits max="100" default="50" />
  <registration available="no" open="no" />
  <searching>
    <search available="yes" supportedParams="q" />
    <tv-search available="yes" supportedParams="q,season,ep,tvdbid" />
    <movie-search available="yes" supportedParams="q,imdbid,year" />
    <music-search available="no" supportedParams="q" />
    <audio-search available="no" supportedParams="q" />
    <book-search available="yes" supportedParams="q,author,title" />
  </searching>
  <categories>
    <category id="2000" name="Movies">
      <subcat id="2040" name="Movies/HD" />
      <subcat id="2045" name="Movies/UHD" />
    </category>
    <category id="5000" name="TV">
      <subcat id="5040" name="TV/HD" />
    </category>
  </categories>
</caps>`;

export interface FixtureRelease {
  title: string;
  size: number;
  seeders?: number;
  peers?: number;
  category: number;
  /** The release's 1-based position in the server's list (its download path); the position in the feed when absent. */
  n?: number;
}

/** Releases of a wanted movie "Alien" (1979): one good, a 2160p, a CAM, a sample, another title, another year. */
export const ALIEN_RELEASES: FixtureRelease[] = [
  { title: 'Alien.1979.1080p.BluRay.x264-AMIABLE', size: 8_000 * MB, seeders: 120, peers: 140, category: 2040 },
  { title: 'Alien.1979.2160p.UHD.BluRay.x265-TERMiNAL', size: 40_000 * MB, seeders: 300, peers: 310, category: 2045 },
  { title: 'Alien.1979.HDCAM.x264-NOGRP', size: 1_400 * MB, seeders: 500, peers: 520, category: 2000 },
  { title: 'Alien.1979.1080p.BluRay.x264.sample-AMIABLE', size: 60 * MB, seeders: 10, peers: 10, category: 2040 },
  { title: 'Alien.Resurrection.1997.1080p.BluRay.x264-SPARKS', size: 9_000 * MB, seeders: 90, peers: 95, category: 2040 },
  { title: 'Alien.2003.1080p.WEB-DL.x264-OTHER', size: 5_000 * MB, seeders: 40, peers: 44, category: 2040 },
  { title: 'Alien.1979.720p.BluRay.x264-SiNNERS', size: 4_400 * MB, seeders: 60, peers: 70, category: 2040 },
];

export function feedXml(base: string, releases: FixtureRelease[], ns: 'torznab' | 'newznab' = 'torznab', apiKey = TORZNAB_KEY): string {
  const xmlns = ns === 'torznab' ? 'http://torznab.com/schemas/2015/feed' : 'http://www.newznab.com/DTD/2010/feeds/attributes/';
  const type = ns === 'torznab' ? 'application/x-bittorrent' : 'application/x-nzb';
  const items = releases
    .map((r, i) => {
      const dl = `${base}/download/${r.n ?? i + 1}?apikey=${apiKey}`;
      const torrentAttrs =
        ns === 'torznab'
          ? `\n      <torznab:attr name="seeders" value="${r.seeders ?? 0}" />\n      <torznab:attr name="peers" value="${r.peers ?? 0}" />\n      <torznab:attr name="infohash" value="${(i + 1).toString(16).padStart(40, '0')}" />`
          : '';
      return `    <item>
      <title>${esc(r.title)}</title>
      <guid isPermaLink="true">${base}/details/${i + 1}</guid>
      <comments>${base}/details/${i + 1}#comments</comments>
      <pubDate>Sun, 01 Dec 2024 10:0${i % 10}:00 +0000</pubDate>
      <size>${r.size}</size>
      <link>${esc(dl)}</link>
      <category>${r.category}</category>
      <enclosure url="${esc(dl)}" length="${r.size}" type="${type}" />
      <${ns}:attr name="category" value="${r.category}" />
      <${ns}:attr name="size" value="${r.size}" />${torrentAttrs}
    </item>`;
    })
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:${ns}="${xmlns}">
  <channel>
    <atom:link href="${base}/api" rel="self" type="application/rss+xml" />
    <title>Local ${ns}</title>
    <description>spec fixture</description>
${items}
  </channel>
</rss>`;
}

export const errorXml = (code: number, description: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<error code="${code}" description="${esc(description)}" />`;

function send(res: ServerResponse, status: number, body: string, type = 'application/xml'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

const FUNCTIONS: Record<string, string | undefined> = {
  search: 'search',
  tvsearch: 'tv-search',
  movie: 'movie-search',
  music: 'music-search',
  book: 'book-search',
};

/** `torrents`: `.torrent` (or `.nzb`) files served at `/<mode>/download/<n>` (n = the release's 1-based position; the apikey is checked). */
export function startTorznabServer(releases: FixtureRelease[] = ALIEN_RELEASES, torrents: Record<number, Buffer> = {}): Promise<Fake> {
  let base = '';
  let flakyCalls = 0;
  const handler = (req: Received, res: ServerResponse) => {
    const [, mode] = req.path.split('/');
    if (mode === 'hang') return; // never answers
    if (mode === 'flaky' && flakyCalls++ === 0) return send(res, 500, 'Internal Server Error', 'text/plain');
    if (mode === 'broken') return send(res, 500, 'Internal Server Error', 'text/plain');
    if (mode === 'garbage') return send(res, 200, '<html><body><rss><channel><item><title>oops</channel></body>', 'text/html');
    const download = /\/download\/(\d+)$/.exec(req.path);
    const torrent = download ? torrents[Number(download[1])] : undefined;
    if (torrent && req.query.get('apikey') === TORZNAB_KEY) {
      res.writeHead(200, { 'content-type': torrent.subarray(0, 5).toString() === '<?xml' ? 'application/x-nzb' : 'application/x-bittorrent' });
      return res.end(torrent);
    }
    if (!req.path.endsWith('/api')) return send(res, 404, 'Not Found', 'text/plain');
    if (req.query.get('apikey') !== TORZNAB_KEY) return send(res, 200, errorXml(100, 'Incorrect user credentials'));
    const t = req.query.get('t') ?? '';
    if (t === 'caps') return mode === 'nocaps' ? send(res, 200, errorXml(203, 'Function not available')) : send(res, 200, CAPS_XML);
    const element = FUNCTIONS[t];
    if (element === undefined || !new RegExp(`<${element} available="yes"`).test(CAPS_XML)) return send(res, 200, errorXml(203, 'Function not available'));
    if (t !== 'search' && !req.query.get('q')) return send(res, 200, errorXml(200, 'Missing parameter'));
    const q = (req.query.get('q') ?? '')
      .toLowerCase()
      .split(/\s+/)
      .filter((w) => w !== '');
    const hits = releases.map((r, i) => ({ ...r, n: i + 1 })).filter((r) => q.every((w) => r.title.toLowerCase().includes(w)));
    return send(res, 200, feedXml(`${base}/${mode}`, hits, mode === 'usenet' ? 'newznab' : 'torznab'), 'application/rss+xml');
  };
  return startFake(handler).then((f) => {
    base = f.url;
    return f;
  });
}
