import { ClientError, type ClientFailure, type HttpReply } from '../http-client/http.js';
import { getOk, jsonOf, type RawHit, SEARCH_TIMEOUT_MS, type SourceIndexer, type SourceSettings, SYNC_TIMEOUT_MS, str, TEST_TIMEOUT_MS } from './hits.js';
import { itemsToHits, torznabItems } from './newznab.js';
import { failure } from './prowlarr.js';

/**
 * Jackett (NOTES.md §3). The test sends `Authorization: Bearer <key>` and, when that is refused,
 * falls back to `?apikey=` (legacy); sync and the Torznab search use `?apikey=` (Jackett's API).
 * Every message that could hold the URL is scrubbed of the key.
 */

export async function jackettTest(s: SourceSettings): Promise<{ ok: true; version?: string } | ClientFailure> {
  const timeout = s.timeoutMs ?? TEST_TIMEOUT_MS;
  try {
    let reply: HttpReply;
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
  const items = await torznabItems({ ...s, timeoutMs: s.timeoutMs ?? SEARCH_TIMEOUT_MS }, 'search', { q: query }, '/api/v2.0/indexers/all/results/torznab/api');
  return itemsToHits(items, 'torrent');
}
