import { ClientError, httpRequest, joinUrl, parseJson, scrub, snippet } from '../http-client/http.js';
import { VERSION } from '../version.js';

/** What every metadata service is told about us (MusicBrainz asks for an application name and version). */
export const USER_AGENT = `MediaOS/${VERSION} ( self-hosted media server )`;

export interface JsonRequest {
  baseUrl: string;
  /** Path below baseUrl, e.g. `/search/movie`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  timeoutMs: number;
  /** Values that must never show in an error (API keys). */
  secrets?: (string | undefined)[];
}

/** The request as a string without secrets (cache keys and operator views). */
export function describeRequest(r: Pick<JsonRequest, 'path' | 'query'>, hidden: readonly string[] = []): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(r.query ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) if (v !== undefined && !hidden.includes(k)) q.set(k, String(v));
  const s = q.toString();
  return s ? `${r.path}?${s}` : r.path;
}

/**
 * One GET answered with JSON, within the timeout. A non-2xx answer is a ClientError naming the
 * status and the service's own message (TMDB `status_message`, MusicBrainz `error`), secrets removed.
 */
export async function getJson(r: JsonRequest): Promise<unknown> {
  const url = new URL(joinUrl(r.baseUrl, r.path));
  for (const [k, v] of Object.entries(r.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  const reply = await httpRequest(
    url.toString(),
    { method: 'GET', headers: { accept: 'application/json', 'user-agent': USER_AGENT, ...r.headers } },
    r.timeoutMs,
  );
  const body = parseJson(reply.text);
  if (!reply.ok) {
    const b = (body ?? {}) as { status_message?: unknown; error?: unknown; message?: unknown };
    const said = [b.status_message, b.error, b.message].find((m) => typeof m === 'string') as string | undefined;
    const detail = said !== undefined ? scrub(said, r.secrets ?? []).slice(0, 160) : snippet(reply.text, r.secrets ?? []);
    if (reply.status === 404) throw new ClientError('not_found', 404);
    if (reply.status === 429 || reply.status === 503) throw new ClientError(`rate_limited: HTTP ${reply.status}`, reply.status);
    throw new ClientError(`HTTP ${reply.status}${detail ? `: ${detail}` : ''}`, reply.status);
  }
  if (body === undefined) throw new ClientError('invalid_response: not JSON', reply.status);
  return body;
}

// ---- small readers for loosely typed JSON ----
export const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
export const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
export const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** The year of an ISO-like date ("1995-12-15", "1995"), or null. */
export const yearOf = (date: unknown): number | null => {
  const m = typeof date === 'string' ? /^(\d{4})/.exec(date) : null;
  return m ? Number(m[1]) : null;
};
