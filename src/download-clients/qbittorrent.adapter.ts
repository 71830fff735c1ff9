import { join } from 'node:path';
import { type ClientResult, httpRequestBytes, toFailure } from '../http-client/http.js';
import type { ClientAdapter, ClientJob, ClientSettings, DownloadClient, DownloadState } from './download-client.js';
import { type QbitSettings, type QbitTorrent, qbitAction, qbitAddMagnet, qbitAddTorrentFile, qbitList, qbitTest } from './qbittorrent.js';
import { magnetInfoHash, torrentInfoHash } from './torrent-file.js';

const num = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
};

/**
 * A torrent offered as an http(s) link (Torznab): the server fetches the `.torrent` itself so it
 * knows the info-hash, then uploads the file to qBittorrent. A link that redirects to a magnet
 * (some indexers do) is sent as that magnet.
 */
async function sendTorrentUrl(s: QbitSettings, url: string): Promise<{ result: ClientResult; hash?: string }> {
  let reply: Awaited<ReturnType<typeof httpRequestBytes>>;
  try {
    reply = await httpRequestBytes(url, {}, s.timeoutMs);
  } catch (err) {
    return { result: toFailure(err, [url]) };
  }
  const location = reply.headers.get('location') ?? '';
  if (reply.status >= 300 && reply.status < 400 && location.startsWith('magnet:'))
    return { result: await qbitAddMagnet(s, location), hash: magnetInfoHash(location) };
  if (!reply.ok) return { result: { ok: false, status: reply.status, error: `torrent_download_http_${reply.status}` } };
  let hash: string;
  try {
    hash = torrentInfoHash(reply.body);
  } catch {
    return { result: { ok: false, error: 'not_a_torrent_file' } };
  }
  return { result: await qbitAddTorrentFile(s, reply.body, `${hash}.torrent`), hash };
}

/** qBittorrent states of a torrent whose data is complete and checked. */
const DONE = /^(uploading|stalledUP|pausedUP|stoppedUP|queuedUP|forcedUP)$/;
const FAILED = new Set(['error', 'missingFiles']);
const PAUSED = new Set(['pausedDL', 'stoppedDL']);
const QUEUED = new Set(['queuedDL', 'checkingDL', 'checkingResumeData', 'metaDL', 'allocating', 'moving']);
/** qBittorrent's ETA for "never" (100 days). */
const ETA_INFINITY = 8_640_000;

function stateOf(t: QbitTorrent, contentPath: string | undefined): DownloadState {
  if (FAILED.has(t.state)) return 'failed';
  if (num(t.progress) === 1 && DONE.test(t.state) && contentPath) return 'completed';
  if (DONE.test(t.state) || t.state === 'checkingUP') return 'processing';
  if (PAUSED.has(t.state)) return 'paused';
  if (QUEUED.has(t.state)) return 'queued';
  return 'downloading';
}

function toJob(t: QbitTorrent): ClientJob {
  const savePath = typeof t.save_path === 'string' ? t.save_path : undefined;
  const contentPath = typeof t.content_path === 'string' && t.content_path !== '' ? t.content_path : savePath ? join(savePath, t.name) : undefined;
  const state = stateOf(t, contentPath);
  const eta = num(t.eta);
  return {
    id: t.hash,
    title: t.name,
    state,
    progress: num(t.progress),
    status: t.state,
    sizeBytes: num(t.size),
    speedBps: num(t.dlspeed),
    etaSec: eta !== undefined && eta >= 0 && eta < ETA_INFINITY ? eta : undefined,
    category: t.category,
    savePath,
    ...(state === 'completed' ? { contentPath } : {}),
    ...(state === 'failed' ? { failure: `qBittorrent reports ${t.state}` } : {}),
  };
}

/** qBittorrent: magnet links and http(s) .torrent links (fetched here, so the hash is known), queue, pause/resume/delete. */
export const qbitAdapter: ClientAdapter = {
  protocol: 'torrent',
  can: ['list', 'act'],
  create(settings: ClientSettings): DownloadClient {
    const s: QbitSettings = {
      baseUrl: settings.baseUrl,
      username: settings.username,
      password: settings.password,
      category: settings.category,
      timeoutMs: settings.timeoutMs,
    };
    return {
      kind: 'qbittorrent',
      protocol: 'torrent',
      baseUrl: s.baseUrl,
      test: () => qbitTest(s),
      accepts: (link) => link.startsWith('magnet:') || /^https?:\/\//i.test(link),
      async addLink(link, opts) {
        const settings = opts?.category !== undefined ? { ...s, category: opts.category } : s;
        const sent = link.startsWith('magnet:')
          ? { result: await qbitAddMagnet(settings, link), hash: magnetInfoHash(link) }
          : await sendTorrentUrl(settings, link);
        return sent.result.ok && sent.hash ? { ...sent.result, downloadId: sent.hash } : sent.result;
      },
      async list(query) {
        const r = await qbitList(s);
        if (!r.ok) return r;
        const ids = query?.ids ? new Set(query.ids) : undefined;
        const torrents = ids ? r.torrents.filter((t) => ids.has(t.hash)) : r.torrents;
        return { ok: true, status: r.status, jobs: torrents.map(toJob) };
      },
      act: (op, id) => qbitAction(s, op, id),
    };
  },
};
