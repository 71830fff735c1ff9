import { ClientError, type HttpReply, httpRequest, joinUrl, parseJson } from '../http-client/http.js';

/** Timeouts of the legacy adapters (NOTES.md §3): test and sync 10 s, search 30 s. */
export const TEST_TIMEOUT_MS = 10_000;
export const SYNC_TIMEOUT_MS = 10_000;
export const SEARCH_TIMEOUT_MS = 30_000;

/** Where an adapter talks to, with the (decrypted) key. Never logged. */
export interface SourceSettings {
  baseUrl: string;
  apiKey: string;
  timeoutMs?: number;
}

/** One search hit as an adapter found it, before formatting and filters. */
export interface RawHit {
  title: string;
  /** Bytes, when known. */
  size?: number;
  seeders?: number;
  leechers?: number;
  link: string;
  protocol: 'torrent' | 'usenet';
  indexer?: string;
  publishDate?: string;
  /** Newznab category ids (Torznab/Newznab feeds). */
  categories?: string[];
  guid?: string;
}

/** One indexer a source reports for sync. */
export interface SourceIndexer {
  id: string;
  name: string;
  protocol: 'torrent' | 'usenet';
  enabled: boolean;
  priority?: number;
}

/** GET `path` (query built from `query`), failing with "HTTP <code>" on a non-2xx answer. */
export async function getOk(
  s: SourceSettings,
  path: string,
  query: Record<string, string>,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<HttpReply> {
  const url = new URL(joinUrl(s.baseUrl, path));
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const reply = await httpRequest(
    url.toString(),
    { method: 'GET', headers: { accept: 'application/json, application/xml;q=0.9, */*;q=0.8', ...headers } },
    timeoutMs,
  );
  if (!reply.ok) throw new ClientError(`HTTP ${reply.status}`, reply.status);
  return reply;
}

/** The reply as JSON, or a safe error naming what came instead. */
export function jsonOf(reply: HttpReply): unknown {
  const v = parseJson(reply.text);
  if (v === undefined) throw new ClientError('invalid_response: not JSON', reply.status);
  return v;
}

export function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
