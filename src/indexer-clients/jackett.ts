import { ClientError, scrub, type ClientFailure } from '../http-client/http.js';
import { getOk, jsonOf, num, str, SEARCH_TIMEOUT_MS, SYNC_TIMEOUT_MS, TEST_TIMEOUT_MS, type RawHit, type SourceIndexer, type SourceSettings } from './hits.js';
import { failure } from './prowlarr.js';
import { parseTorznab, parseTorznabError } from './torznab.js';

/**
 * Jackett (NOTES.md §3). The test sends `Authorization: Bearer <key>` and, when that is refused,
 * falls back to `?apikey=` (legacy); sync and the Torznab search use `?apikey=` (Jackett's API).
 * Every message that could hold the URL is scrubbed of the key.
 */

export async function jackettTest(s: SourceSettings): Promise<{ ok: true; version?: string } | ClientFailure> {
  const timeout = s.timeoutMs ?? TEST_TIMEOUT_MS;
  try {
    let reply;
    try {
      reply = await getOk(s, '/api/v2.0/server/config', {}, { authorization: `Bearer ${s.apiKey}` }, timeout);
    } catch (err) {
      if (!(err instanceof ClientError) || err.status === undefined) throw err;
      reply = await getOk(s, '/api/v2.0/server/config', { apikey: s.apiKey }, {}, timeout);
    }
    const body = jsonOf(reply) as { app_version?: unknown } | null;
    const version = str(body?.app_version);
    return version === undefined ? { ok: true } : { ok: true, version };
  } catch (err) {
    return failure(err, s);
  }
}

export async function jackettIndexers(s: SourceSettings): Promise<SourceIndexer[]> {
  const reply = await getOk(s, '/api/v2.0/indexers', { apikey: s.apiKey, configured: 'true' }, {}, s.timeoutMs ?? SYNC_TIMEOUT_MS);
  const list = jsonOf(reply);
  if (!Array.isArray(list)) return [];
  const out: SourceIndexer[] = [];
  for (const raw of list as Record<string, unknown>[]) {
    if (typeof raw !== 'object' || raw === null) continue;
    const id = str(raw.id);
    if (id === undefined) continue;
    out.push({ id, name: str(raw.name) ?? id, protocol: 'torrent', enabled: raw.configured === true });
  }
  return out;
}

export async function jackettSearch(s: SourceSettings, query: string): Promise<RawHit[]> {
  const reply = await getOk(s, '/api/v2.0/indexers/all/results/torznab/api', { apikey: s.apiKey, t: 'search', q: query }, {}, s.timeoutMs ?? SEARCH_TIMEOUT_MS);
  const error = parseTorznabError(reply.text);
  // Jackett may echo the request (and so the key) in its error text: scrub first, then shorten,
  // so a key cut in half by the length limit cannot survive.
  if (error) throw new ClientError(scrub(`torznab error ${error.code}${error.description ? `: ${error.description}` : ''}`, [s.apiKey]).slice(0, 160));
  const out: RawHit[] = [];
  for (const item of parseTorznab(reply.text)) {
    const link = str(item.attrs.magneturl) ?? str(item.link) ?? str(item.enclosure?.url);
    if (item.title === undefined || link === undefined) continue;
    const hit: RawHit = { title: item.title, link, protocol: 'torrent' };
    if (item.size !== undefined) hit.size = item.size;
    const seeders = num(item.attrs.seeders);
    const peers = num(item.attrs.peers);
    if (seeders !== undefined) hit.seeders = seeders;
    // Torznab `peers` counts seeders and leechers together.
    if (peers !== undefined) hit.leechers = Math.max(0, peers - (seeders ?? 0));
    if (item.indexer !== undefined) hit.indexer = item.indexer;
    if (item.pubDate !== undefined) hit.publishDate = item.pubDate;
    out.push(hit);
  }
  return out;
}
