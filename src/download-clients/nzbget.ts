import { type ClientResult, httpRequest, joinUrl, parseJson, snippet, toFailure } from '../http-client/http.js';

/**
 * NZBGet JSON-RPC (`POST {base}/jsonrpc`, Basic auth when a username is set).
 * Adds use `append` (NZBGet 13+; the content may be a URL or the NZB itself in base64), not the
 * legacy `appendurl`, which NZBGet deprecated in v13 and later removed. `append` answers the new
 * NZBID (> 0) or 0 / a negative number on failure.
 */
export interface NzbgetSettings {
  baseUrl: string;
  username?: string;
  password?: string;
  category?: string;
  timeoutMs: number;
}

export interface NzbgetUpload {
  filename?: string;
  data: Buffer;
}

async function rpc(s: NzbgetSettings, method: string, params: unknown[]): Promise<ClientResult<{ result: unknown }>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (s.username) headers.authorization = `Basic ${Buffer.from(`${s.username}:${s.password ?? ''}`, 'utf8').toString('base64')}`;
  const reply = await httpRequest(
    joinUrl(s.baseUrl, '/jsonrpc'),
    { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 }) },
    s.timeoutMs,
  );
  if (!reply.ok) return { ok: false, status: reply.status, error: `http_${reply.status}` };
  const data = parseJson(reply.text) as { result?: unknown; error?: unknown } | undefined;
  if (!data || typeof data !== 'object') return { ok: false, status: reply.status, error: 'invalid_reply' };
  if (data.error) {
    const e = data.error as { message?: unknown };
    const why = typeof e.message === 'string' ? snippet(e.message, [s.password]) : 'rpc_error';
    return { ok: false, status: reply.status, error: `nzbget: ${why}` };
  }
  return { ok: true, status: reply.status, result: data.result };
}

async function guard<T extends object>(s: NzbgetSettings, run: () => Promise<ClientResult<T>>): Promise<ClientResult<T>> {
  try {
    return await run();
  } catch (err) {
    return toFailure(err, [s.password]);
  }
}

/** `append` answers the new job's NZBID (a positive number; old versions: true). */
function appended(r: ClientResult<{ result: unknown }>): ClientResult<{ nzbId?: number }> {
  if (!r.ok) return r;
  const ok = r.result === true || (typeof r.result === 'number' && r.result > 0);
  if (!ok) return { ok: false, status: r.status, error: 'rejected' };
  return typeof r.result === 'number' ? { ok: true, status: r.status, nzbId: r.result } : { ok: true, status: r.status };
}

/** NZBGet names the job after NZBFilename; "/" or "\" would make it a path. */
function nzbName(name: string | undefined): string {
  if (!name) return '';
  const clean = name.replace(/[\\/]/g, '_');
  return /\.nzb$/i.test(clean) ? clean : `${clean}.nzb`;
}

export function nzbgetTest(s: NzbgetSettings): Promise<ClientResult<{ version?: string }>> {
  return guard(s, async () => {
    const r = await rpc(s, 'version', []);
    if (!r.ok) return r;
    return { ok: true, status: r.status, version: typeof r.result === 'string' ? r.result.slice(0, 40) : undefined };
  });
}

function appendParams(s: NzbgetSettings, name: string, content: string): unknown[] {
  // NZBFilename, Content, Category, Priority, AddToTop, AddPaused, DupeKey, DupeScore, DupeMode, PPParameters
  return [name, content, s.category ?? '', 0, false, false, '', 0, 'SCORE', []];
}

export function nzbgetAppendUrl(s: NzbgetSettings, url: string, title?: string): Promise<ClientResult<{ nzbId?: number }>> {
  return guard(s, async () => appended(await rpc(s, 'append', appendParams(s, nzbName(title), url))));
}

export function nzbgetAppendFile(s: NzbgetSettings, upload: NzbgetUpload): Promise<ClientResult<{ nzbId?: number }>> {
  return guard(s, async () => appended(await rpc(s, 'append', appendParams(s, nzbName(upload.filename || 'upload.nzb'), upload.data.toString('base64')))));
}

/** One `listgroups` entry (the fields read here; NZBGet sends many more). */
export interface NzbgetGroup {
  NZBID: number;
  NZBName: string;
  Status: string;
  Category?: string;
  DestDir?: string;
  FileSizeLo?: number;
  FileSizeHi?: number;
  RemainingSizeLo?: number;
  RemainingSizeHi?: number;
  PausedSizeLo?: number;
  PausedSizeHi?: number;
  DownloadRate?: number;
}

/** One `history` entry: `Status` is "SUCCESS/ALL", "FAILURE/HEALTH", "DELETED/MANUAL", "WARNING/SCRIPT"... */
export interface NzbgetHistoryItem {
  NZBID: number;
  Name: string;
  Status: string;
  Kind?: string;
  Category?: string;
  DestDir?: string;
  FinalDir?: string;
  HistoryTime?: number;
  FileSizeLo?: number;
  FileSizeHi?: number;
}

const listOf = <T>(r: ClientResult<{ result: unknown }>): ClientResult<{ items: T[] }> =>
  r.ok ? { ok: true, status: r.status, items: Array.isArray(r.result) ? (r.result as T[]) : [] } : r;

/** The download queue (NZBs being fetched, downloaded or post-processed). */
export function nzbgetGroups(s: NzbgetSettings): Promise<ClientResult<{ items: NzbgetGroup[] }>> {
  return guard(s, async () => listOf<NzbgetGroup>(await rpc(s, 'listgroups', [0])));
}

/** The history (finished, failed and deleted NZBs), newest first; hidden (duplicate) entries left out. */
export function nzbgetHistory(s: NzbgetSettings): Promise<ClientResult<{ items: NzbgetHistoryItem[] }>> {
  return guard(s, async () => listOf<NzbgetHistoryItem>(await rpc(s, 'history', [false])));
}

export type NzbgetOp = 'pause' | 'resume' | 'delete';
const EDIT_COMMANDS: Record<NzbgetOp, string> = { pause: 'GroupPause', resume: 'GroupResume', delete: 'GroupDelete' };

/** `editqueue(Command, Param, IDs)` (NZBGet 18+): pause, resume, or delete (to history; files kept) one NZB. */
export function nzbgetAction(s: NzbgetSettings, op: NzbgetOp, id: string): Promise<ClientResult> {
  return guard<object>(s, async () => {
    const nzbId = Number(id);
    if (!Number.isInteger(nzbId) || nzbId <= 0) return { ok: false, error: 'action_failed' };
    const r = await rpc(s, 'editqueue', [EDIT_COMMANDS[op], '', [nzbId]]);
    return r.ok && r.result === true ? { ok: true, status: r.status } : { ok: false, status: r.status, error: 'action_failed' };
  });
}
