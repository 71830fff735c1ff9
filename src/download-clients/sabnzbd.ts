import { type ClientResult, type HttpReply, httpRequest, joinUrl, parseJson, snippet, toFailure } from '../http-client/http.js';

/**
 * SABnzbd (`{base}/api?output=json&apikey=...`). Every call keeps a sub-path of baseUrl
 * (`http://host/sabnzbd`); legacy resolved `new URL('/api', base)` for queue, history, actions
 * and the test, which dropped it (NOTES.md §2). The apikey is a query parameter by SABnzbd's
 * design: no URL is ever put in a message or a log line.
 */
export interface SabSettings {
  baseUrl: string;
  apiKey: string;
  category?: string;
  timeoutMs: number;
}

export interface SabUpload {
  filename?: string;
  mimetype?: string;
  data: Buffer;
}

export interface SabQueueSlot {
  nzo_id: string;
  filename: string;
  mb?: string | number;
  mbleft?: string | number;
  timeleft?: string;
  status?: string;
  cat?: string;
  percentage?: string | number;
}

export interface SabHistorySlot {
  nzo_id: string;
  name: string;
  status?: string;
  completed?: number;
  cat?: string;
  /** Where the finished job's files are (the completed folder). */
  storage?: string;
  bytes?: number;
  fail_message?: string;
}

export type SabOp = 'pause' | 'resume' | 'delete';

function apiUrl(s: SabSettings, params: Record<string, string>): string {
  const q = new URLSearchParams({ ...params, output: 'json', apikey: s.apiKey });
  return `${joinUrl(s.baseUrl, '/api')}?${q.toString()}`;
}

/** SABnzbd answers HTTP 200 with `{status:false,error}` for a bad key or a refused job. */
function check(s: SabSettings, reply: HttpReply): ClientResult<{ data: Record<string, unknown> }> {
  if (!reply.ok) return { ok: false, status: reply.status, error: `http_${reply.status}` };
  const data = parseJson(reply.text);
  if (typeof data !== 'object' || data === null) return { ok: false, status: reply.status, error: 'invalid_reply' };
  const d = data as Record<string, unknown>;
  if (d.status === false) {
    const why = typeof d.error === 'string' ? snippet(d.error, [s.apiKey]) : 'refused';
    return { ok: false, status: reply.status, error: `sabnzbd: ${why}` };
  }
  return { ok: true, status: reply.status, data: d };
}

async function guard<T extends object>(s: SabSettings, run: () => Promise<ClientResult<T>>): Promise<ClientResult<T>> {
  try {
    return await run();
  } catch (err) {
    return toFailure(err, [s.apiKey]);
  }
}

function withCategory(s: SabSettings, params: Record<string, string>): Record<string, string> {
  return s.category ? { ...params, cat: s.category } : params;
}

/** The settings test: the queue. */
export function sabTest(s: SabSettings): Promise<ClientResult> {
  return guard(s, async () => {
    const r = check(s, await httpRequest(apiUrl(s, { mode: 'queue', limit: '1' }), {}, s.timeoutMs));
    return r.ok ? { ok: true, status: r.status } : r;
  });
}

/** The first `nzo_ids` entry of an add reply: the id the queue and history report the job by. */
function nzoIdOf(data: Record<string, unknown>): { nzoId?: string } {
  const ids = data.nzo_ids;
  return Array.isArray(ids) && typeof ids[0] === 'string' ? { nzoId: ids[0] } : {};
}

/** `nzbname` names the job (SABnzbd otherwise names it after the URL's file name, often a bare id). */
export function sabAddUrl(s: SabSettings, url: string, nzbName?: string): Promise<ClientResult<{ nzoId?: string }>> {
  return guard(s, async () => {
    const params: Record<string, string> = { mode: 'addurl', name: url, ...(nzbName ? { nzbname: nzbName } : {}) };
    const r = check(s, await httpRequest(apiUrl(s, withCategory(s, params)), {}, s.timeoutMs));
    return r.ok ? { ok: true, status: r.status, ...nzoIdOf(r.data) } : r;
  });
}

/** Uploads an NZB (multipart POST to {base}/api, file part `name`, as legacy did). */
export function sabAddFile(s: SabSettings, upload: SabUpload): Promise<ClientResult<{ nzoId?: string }>> {
  return guard(s, async () => {
    const body = new FormData();
    for (const [k, v] of Object.entries(withCategory(s, { mode: 'addfile', output: 'json', apikey: s.apiKey }))) body.append(k, v);
    const blob = new Blob([new Uint8Array(upload.data)], { type: upload.mimetype || 'application/x-nzb' });
    body.append('name', blob, upload.filename || 'upload.nzb');
    const r = check(s, await httpRequest(joinUrl(s.baseUrl, '/api'), { method: 'POST', body }, s.timeoutMs));
    return r.ok ? { ok: true, status: r.status, ...nzoIdOf(r.data) } : r;
  });
}

export function sabQueue(s: SabSettings): Promise<ClientResult<{ slots: SabQueueSlot[] }>> {
  return guard(s, async () => {
    const r = check(s, await httpRequest(apiUrl(s, { mode: 'queue' }), {}, s.timeoutMs));
    if (!r.ok) return r;
    const queue = r.data.queue as { slots?: unknown } | undefined;
    return { ok: true, status: r.status, slots: Array.isArray(queue?.slots) ? (queue.slots as SabQueueSlot[]) : [] };
  });
}

export function sabHistory(s: SabSettings, limit = 50): Promise<ClientResult<{ slots: SabHistorySlot[] }>> {
  return guard(s, async () => {
    const r = check(s, await httpRequest(apiUrl(s, { mode: 'history', limit: String(limit) }), {}, s.timeoutMs));
    if (!r.ok) return r;
    const history = r.data.history as { slots?: unknown } | undefined;
    const slots = Array.isArray(history?.slots) ? (history.slots as SabHistorySlot[]) : [];
    return { ok: true, status: r.status, slots: slots.slice(0, limit) };
  });
}

export function sabAction(s: SabSettings, op: SabOp, id: string): Promise<ClientResult> {
  return guard<object>(s, async () => {
    const reply = await httpRequest(apiUrl(s, { mode: 'queue', name: op, value: id }), {}, s.timeoutMs);
    if (!reply.ok) return { ok: false, status: reply.status, error: 'action_failed' };
    const r = check(s, reply);
    return r.ok ? { ok: true, status: r.status } : { ok: false, status: reply.status, error: 'action_failed' };
  });
}
