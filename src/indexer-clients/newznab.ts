import { ClientError, type HttpReply, httpRequest, joinUrl, scrub } from '../http-client/http.js';
import { num, type RawHit, SEARCH_TIMEOUT_MS, type SourceSettings, str } from './hits.js';
import { type IndexerCaps, parseCaps, parseTorznab, parseTorznabError, type SearchFunction, type TorznabItem, TorznabParseError } from './torznab.js';

/**
 * One Torznab or Newznab endpoint (a manual indexer, or Jackett's aggregate feed): `t=caps` and
 * the search functions, the key in `?apikey=` as both specs say. Every failure is a ClientError
 * with a safe message (the key scrubbed from anything the server echoed): "HTTP 500",
 * "torznab error 100: Invalid API Key", "invalid_response: not XML (...)", "timeout after N ms".
 */

/** Search parameters, as the spec names them (`q`, `cat`, `season`, `ep`, `year`, `imdbid`...). */
export type SearchParams = Record<string, string>;

/** `<base>/api` unless the base already ends in `/api` (both are seen in the wild). */
export function apiUrl(baseUrl: string): string {
  const base = joinUrl(baseUrl, '/').replace(/\/+$/, '');
  return /\/api$/.test(new URL(base).pathname) ? base : `${base}/api`;
}

function fail(message: string, s: SourceSettings, status?: number): never {
  // Scrub first, then shorten, so a key cut in half by the length limit cannot survive.
  throw new ClientError(scrub(message, [s.apiKey]).slice(0, 160), status);
}

/** GETs `t=<fn>` and returns the body text once it is neither an error document nor a non-2xx. */
async function call(s: SourceSettings, query: SearchParams, timeoutMs: number, path?: string): Promise<HttpReply> {
  const url = new URL(path === undefined ? apiUrl(s.baseUrl) : joinUrl(s.baseUrl, path));
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  if (s.apiKey !== '') url.searchParams.set('apikey', s.apiKey);
  const reply = await httpRequest(url.toString(), { method: 'GET', headers: { accept: 'application/rss+xml, application/xml;q=0.9, */*;q=0.8' } }, timeoutMs);
  const error = parseTorznabError(reply.text);
  if (error) fail(`torznab error ${error.code}${error.description ? `: ${error.description}` : ''}`, s, reply.status);
  if (!reply.ok) fail(`HTTP ${reply.status}`, s, reply.status);
  return reply;
}

function parsed<T>(s: SourceSettings, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof TorznabParseError) fail(err.message, s);
    throw err;
  }
}

/** `t=caps`: the search functions and categories the endpoint declares. */
export async function torznabCaps(s: SourceSettings): Promise<IndexerCaps> {
  const reply = await call(s, { t: 'caps' }, s.timeoutMs ?? SEARCH_TIMEOUT_MS);
  return parsed(s, () => parseCaps(reply.text));
}

/** The feed's items; `path` overrides the `/api` endpoint (Jackett's aggregate feed). */
export async function torznabItems(s: SourceSettings, fn: SearchFunction, params: SearchParams, path?: string): Promise<TorznabItem[]> {
  const reply = await call(s, { t: fn, ...params }, s.timeoutMs ?? SEARCH_TIMEOUT_MS, path);
  return parsed(s, () => parseTorznab(reply.text));
}

/**
 * Feed items -> hits. Torrents: the magnet (attr `magneturl`) first, else the link, else the
 * enclosure; Usenet: the NZB link (enclosure first, which is the spec's download link).
 * Torznab `peers` counts seeders and leechers together.
 */
export function itemsToHits(items: TorznabItem[], protocol: 'torrent' | 'usenet', indexer?: string): RawHit[] {
  const out: RawHit[] = [];
  for (const item of items) {
    const link =
      protocol === 'torrent' ? (str(item.attrs.magneturl) ?? str(item.link) ?? str(item.enclosure?.url)) : (str(item.enclosure?.url) ?? str(item.link));
    if (item.title === undefined || link === undefined) continue;
    const hit: RawHit = { title: item.title, link, protocol };
    if (item.size !== undefined) hit.size = item.size;
    const seeders = num(item.attrs.seeders);
    const peers = num(item.attrs.peers);
    if (seeders !== undefined) hit.seeders = seeders;
    if (peers !== undefined) hit.leechers = Math.max(0, peers - (seeders ?? 0));
    const name = item.indexer ?? indexer;
    if (name !== undefined) hit.indexer = name;
    if (item.pubDate !== undefined) hit.publishDate = item.pubDate;
    if (item.categories.length > 0) hit.categories = item.categories;
    const guid = item.guid;
    if (guid !== undefined) hit.guid = guid;
    out.push(hit);
  }
  return out;
}
