/**
 * The HTTP plumbing every download-client adapter shares: a bounded `fetch`, error codes that
 * never hold a secret, and URL helpers that keep a sub-path in `baseUrl` (legacy dropped it for
 * SABnzbd: NOTES.md §2).
 */

/** A failed client call: a short code or message, safe to show and to log. */
export interface ClientFailure {
  ok: false;
  error: string;
  /** The client's HTTP status, when it answered. */
  status?: number;
}
export type ClientResult<T extends object = object> = ({ ok: true; status: number } & T) | ClientFailure;

export interface HttpReply {
  status: number;
  ok: boolean;
  text: string;
  headers: Headers;
}

/** Thrown inside adapters, turned into a ClientFailure at their edge. `message` is safe. */
export class ClientError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ClientError';
  }
}

export const DEFAULT_TIMEOUT_MS = 8000;

/** NOTES.md §2: clamp(timeoutMs || 8000, 2000, 20000). */
export function clampTimeout(ms: unknown): number {
  const n = typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? ms : DEFAULT_TIMEOUT_MS;
  return Math.min(20_000, Math.max(2_000, Math.trunc(n)));
}

/** `base` + `path`, keeping any sub-path of base (`http://h/sabnzbd` + `/api` -> `http://h/sabnzbd/api`). */
export function joinUrl(base: string, path: string): string {
  let url: URL;
  try {
    url = new URL(base.trim());
  } catch {
    throw new ClientError('invalid_baseUrl');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ClientError('invalid_baseUrl');
  if (url.username || url.password) throw new ClientError('invalid_baseUrl: credentials in the URL are not supported');
  const prefix = url.pathname.replace(/\/+$/, '');
  return `${url.origin}${prefix}${path.startsWith('/') ? path : `/${path}`}`;
}

/** A URL fit for a message or a log line: no query secrets, no user info. */
export function redactUrl(raw: string): string {
  return raw.replace(/\/\/[^/@\s]*@/g, '//').replace(/([?&](?:apikey|api_key|apiKey|password|pass|token)=)[^&#\s]*/gi, '$1***');
}

/** The forms a secret comes back in from a server that echoes its input: raw, URL-encoded, form-encoded, JSON-escaped. */
function secretForms(s: string): string[] {
  const forms = [s, encodeURIComponent(s), new URLSearchParams({ s }).toString().slice(2), JSON.stringify(s).slice(1, -1)];
  return [...new Set(forms)].sort((a, b) => b.length - a.length);
}

/** Removes every given secret, in each form it may be echoed in (and apikey query params), from a message. */
export function scrub(message: string, secrets: (string | undefined)[]): string {
  let out = redactUrl(message);
  for (const s of secrets) if (s && s.length >= 3) for (const f of secretForms(s)) out = out.split(f).join('***');
  return out;
}

/**
 * The fields a log line may carry of any error: its code (or class name) and its message with the
 * given secrets and URL credentials cut out. Nothing else of it: other properties (e.g. the
 * `input` of an invalid URL) may hold a secret in a form `scrub` cannot know.
 */
export function safeErrorFields(err: unknown, secrets: (string | undefined)[] = []): { error: string; message: string } {
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(e.code) ? e.code : undefined;
  const name = typeof e?.name === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(e.name) ? e.name : 'Error';
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return { error: code ?? name, message: scrub(message, secrets).slice(0, 300) };
}

/** A short, safe description of a failed fetch. */
export function describeFetchError(err: unknown, timeoutMs: number): string {
  if (err instanceof ClientError) return err.message;
  const e = err as { name?: string; cause?: { code?: string; name?: string } };
  if (e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError' || e?.name === 'AbortError') return `timeout after ${timeoutMs} ms`;
  const code = e?.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection_refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host_not_found';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection_reset';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return `timeout after ${timeoutMs} ms`;
  if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return `network_error: ${code}`;
  return 'network_error';
}

/** Max bytes read from a client reply (a qBittorrent list of thousands of torrents fits). */
const MAX_REPLY_BYTES = 32 * 1024 * 1024;

/** One bounded HTTP call: the whole exchange (headers and body) must finish within timeoutMs. */
export async function httpRequest(url: string, init: RequestInit, timeoutMs: number): Promise<HttpReply> {
  let res: Response;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    res = await fetch(url, { ...init, signal, redirect: 'manual' });
    const len = Number(res.headers.get('content-length') ?? 0);
    if (len > MAX_REPLY_BYTES) {
      await res.body?.cancel();
      throw new ClientError('reply_too_large', res.status);
    }
    const text = await res.text();
    return { status: res.status, ok: res.status >= 200 && res.status < 300, text, headers: res.headers };
  } catch (err) {
    if (err instanceof ClientError) throw err;
    throw new ClientError(describeFetchError(err, timeoutMs));
  }
}

/** Like httpRequest, for a binary answer (a `.torrent`): the body as bytes, bounded the same way. */
export async function httpRequestBytes(
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<{ status: number; ok: boolean; body: Buffer; headers: Headers }> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(url, { ...init, signal, redirect: 'manual' });
    const len = Number(res.headers.get('content-length') ?? 0);
    if (len > MAX_REPLY_BYTES) {
      await res.body?.cancel();
      throw new ClientError('reply_too_large', res.status);
    }
    const body = Buffer.from(await res.arrayBuffer());
    if (body.length > MAX_REPLY_BYTES) throw new ClientError('reply_too_large', res.status);
    return { status: res.status, ok: res.status >= 200 && res.status < 300, body, headers: res.headers };
  } catch (err) {
    if (err instanceof ClientError) throw err;
    throw new ClientError(describeFetchError(err, timeoutMs));
  }
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Turns anything an adapter threw into a safe ClientFailure. */
export function toFailure(err: unknown, secrets: (string | undefined)[]): ClientFailure {
  if (err instanceof ClientError) {
    return err.status === undefined ? { ok: false, error: scrub(err.message, secrets) } : { ok: false, error: scrub(err.message, secrets), status: err.status };
  }
  return { ok: false, error: 'client_error' };
}

/** A short piece of a reply body for an error message (never more than 80 chars, secrets removed). */
export function snippet(text: string, secrets: (string | undefined)[]): string {
  // Scrub before cutting: a secret straddling the cut would otherwise leave its first part.
  return scrub(text, secrets).replace(/\s+/g, ' ').trim().slice(0, 80);
}
