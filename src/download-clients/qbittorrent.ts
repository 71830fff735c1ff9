import { ClientError, type ClientResult, type HttpReply, httpRequest, joinUrl, parseJson, snippet, toFailure } from '../http-client/http.js';

/**
 * qBittorrent Web API v2 (form-encoded). Login runs when a username is set; its session cookie
 * (SID) is sent on EVERY later call (legacy sent it only on add, so lists and actions worked only
 * when qBittorrent skipped auth: NOTES.md §2).
 */
export interface QbitSettings {
  baseUrl: string;
  username?: string;
  password?: string;
  category?: string;
  timeoutMs: number;
}

export interface QbitTorrent {
  hash: string;
  name: string;
  progress: number;
  state: string;
  dlspeed: number;
  eta: number;
  category: string;
  /** Bytes of the selected files (qBittorrent 4.1+). */
  size?: number;
  /** Where the torrent's data is: its single file, or its root folder (qBittorrent 4.3.2+). */
  content_path?: string;
  save_path?: string;
}

export type QbitOp = 'pause' | 'resume' | 'delete';

function form(fields: Record<string, string>): URLSearchParams {
  return new URLSearchParams(fields);
}

function cookieOf(reply: HttpReply): string | undefined {
  const set = reply.headers.getSetCookie();
  const pairs = set.map((c) => c.split(';')[0].trim()).filter((p) => p.includes('='));
  return pairs.length > 0 ? pairs.join('; ') : undefined;
}

async function login(s: QbitSettings): Promise<{ cookie?: string; status?: number }> {
  if (!s.username) return {};
  const reply = await httpRequest(
    joinUrl(s.baseUrl, '/api/v2/auth/login'),
    { method: 'POST', body: form({ username: s.username, password: s.password ?? '' }) },
    s.timeoutMs,
  );
  if (!reply.ok || !/ok/i.test(reply.text)) {
    const why = reply.ok ? snippet(reply.text, [s.password]) || String(reply.status) : String(reply.status);
    throw new ClientError(`login_failed: ${why}`, reply.status);
  }
  return { cookie: cookieOf(reply), status: reply.status };
}

function withCookie(cookie: string | undefined, init: RequestInit = {}): RequestInit {
  return cookie ? { ...init, headers: { ...(init.headers as Record<string, string>), cookie } } : init;
}

async function guard<T extends object>(s: QbitSettings, run: () => Promise<ClientResult<T>>): Promise<ClientResult<T>> {
  try {
    return await run();
  } catch (err) {
    return toFailure(err, [s.password]);
  }
}

/** The settings test: login (when a username is set), then the version. */
export function qbitTest(s: QbitSettings): Promise<ClientResult<{ version?: string }>> {
  return guard<{ version?: string }>(s, async () => {
    const { cookie } = await login(s);
    const reply = await httpRequest(joinUrl(s.baseUrl, '/api/v2/app/version'), withCookie(cookie), s.timeoutMs);
    if (!reply.ok) return { ok: false, status: reply.status, error: `http_${reply.status}` };
    return { ok: true, status: reply.status, version: reply.text.trim().slice(0, 40) };
  });
}

/** Adds a magnet link (the only link type legacy supported). */
export function qbitAddMagnet(s: QbitSettings, magnet: string): Promise<ClientResult> {
  return guard<object>(s, async () => {
    const { cookie } = await login(s);
    const fields: Record<string, string> = { urls: magnet };
    if (s.category) fields.category = s.category;
    const reply = await httpRequest(joinUrl(s.baseUrl, '/api/v2/torrents/add'), withCookie(cookie, { method: 'POST', body: form(fields) }), s.timeoutMs);
    if (!reply.ok) return { ok: false, status: reply.status, error: `http_${reply.status}` };
    // qBittorrent 4 answers 200 "Fails." when it refuses the link.
    if (/^fails/i.test(reply.text.trim())) return { ok: false, status: reply.status, error: 'rejected' };
    return { ok: true, status: reply.status };
  });
}

/** Uploads a `.torrent` file (multipart `torrents` part), with the category when one is set. */
export function qbitAddTorrentFile(s: QbitSettings, file: Buffer, filename: string): Promise<ClientResult> {
  return guard<object>(s, async () => {
    const { cookie } = await login(s);
    const body = new FormData();
    body.append('torrents', new Blob([new Uint8Array(file)], { type: 'application/x-bittorrent' }), filename);
    if (s.category) body.append('category', s.category);
    const reply = await httpRequest(joinUrl(s.baseUrl, '/api/v2/torrents/add'), withCookie(cookie, { method: 'POST', body }), s.timeoutMs);
    if (!reply.ok) return { ok: false, status: reply.status, error: `http_${reply.status}` };
    if (/^fails/i.test(reply.text.trim())) return { ok: false, status: reply.status, error: 'rejected' };
    return { ok: true, status: reply.status };
  });
}

export function qbitList(s: QbitSettings): Promise<ClientResult<{ torrents: QbitTorrent[] }>> {
  return guard<{ torrents: QbitTorrent[] }>(s, async () => {
    const { cookie } = await login(s);
    const reply = await httpRequest(joinUrl(s.baseUrl, '/api/v2/torrents/info?filter=all'), withCookie(cookie), s.timeoutMs);
    if (!reply.ok) return { ok: false, status: reply.status, error: `http_${reply.status}` };
    const data = parseJson(reply.text);
    return { ok: true, status: reply.status, torrents: Array.isArray(data) ? (data as QbitTorrent[]) : [] };
  });
}

/** pause/resume/delete; falls back to the qBittorrent 5 names (stop/start) on a 404. */
export function qbitAction(s: QbitSettings, op: QbitOp, hash: string): Promise<ClientResult> {
  return guard<object>(s, async () => {
    const { cookie } = await login(s);
    const fields: Record<string, string> = op === 'delete' ? { hashes: hash, deleteFiles: 'false' } : { hashes: hash };
    const call = (path: string) =>
      httpRequest(joinUrl(s.baseUrl, `/api/v2/torrents/${path}`), withCookie(cookie, { method: 'POST', body: form(fields) }), s.timeoutMs);
    let reply = await call(op);
    if (reply.status === 404 && op !== 'delete') reply = await call(op === 'pause' ? 'stop' : 'start');
    if (!reply.ok) return { ok: false, status: reply.status, error: 'action_failed' };
    return { ok: true, status: reply.status };
  });
}
