import { type ClientFailure, toFailure } from '../http-client/http.js';
import { getOk, jsonOf, num, type RawHit, SEARCH_TIMEOUT_MS, type SourceIndexer, type SourceSettings, SYNC_TIMEOUT_MS, str, TEST_TIMEOUT_MS } from './hits.js';

/**
 * Prowlarr API v1 (NOTES.md §3): the key goes in the `X-Api-Key` header only, never in a URL.
 * `prowlarrTest` answers a result; `prowlarrIndexers`/`prowlarrSearch` throw ClientError
 * (a safe message: "HTTP 401", "timeout after 10000 ms", ...).
 */

const headers = (s: SourceSettings) => ({ 'X-Api-Key': s.apiKey });

export async function prowlarrTest(s: SourceSettings): Promise<{ ok: true; version?: string } | ClientFailure> {
  try {
    const reply = await getOk(s, '/api/v1/system/status', {}, headers(s), s.timeoutMs ?? TEST_TIMEOUT_MS);
    const body = jsonOf(reply) as { version?: unknown } | null;
    const version = str(body?.version);
    return version === undefined ? { ok: true } : { ok: true, version };
  } catch (err) {
    return failure(err, s);
  }
}

export async function prowlarrIndexers(s: SourceSettings): Promise<SourceIndexer[]> {
  const reply = await getOk(s, '/api/v1/indexer', {}, headers(s), s.timeoutMs ?? SYNC_TIMEOUT_MS);
  const list = jsonOf(reply);
  if (!Array.isArray(list)) return [];
  const out: SourceIndexer[] = [];
  for (const raw of list as Record<string, unknown>[]) {
    if (typeof raw !== 'object' || raw === null) continue;
    const id = num(raw.id) ?? str(raw.id);
    if (id === undefined) continue;
    out.push({
      id: String(id),
      name: str(raw.name) ?? String(id),
      protocol: raw.protocol === 'usenet' ? 'usenet' : 'torrent',
      enabled: raw.enable === true,
      priority: num(raw.priority) ?? 25,
    });
  }
  return out;
}

export async function prowlarrSearch(s: SourceSettings, query: string): Promise<RawHit[]> {
  const reply = await getOk(s, '/api/v1/search', { query, type: 'search' }, headers(s), s.timeoutMs ?? SEARCH_TIMEOUT_MS);
  const list = jsonOf(reply);
  if (!Array.isArray(list)) return [];
  const out: RawHit[] = [];
  for (const r of list as Record<string, unknown>[]) {
    if (typeof r !== 'object' || r === null) continue;
    const title = str(r.title);
    const link = str(r.magnetUrl) ?? str(r.downloadUrl);
    if (title === undefined || link === undefined) continue; // nothing to show or to grab
    const hit: RawHit = { title, link, protocol: r.protocol === 'usenet' ? 'usenet' : 'torrent' };
    const size = num(r.size);
    if (size !== undefined) hit.size = size;
    const seeders = num(r.seeders);
    if (seeders !== undefined) hit.seeders = seeders;
    const leechers = num(r.leechers);
    if (leechers !== undefined) hit.leechers = leechers;
    const indexer = str(r.indexer);
    if (indexer !== undefined) hit.indexer = indexer;
    const date = str(r.publishDate);
    if (date !== undefined) hit.publishDate = date;
    out.push(hit);
  }
  return out;
}

export function failure(err: unknown, s: SourceSettings): ClientFailure {
  const f = toFailure(err, [s.apiKey]);
  return { ok: false, error: f.error };
}
