import { type ClientResult, httpRequestBytes, toFailure } from '../http-client/http.js';
import type { ClientAdapter, ClientJob, ClientSettings, DownloadClient } from './download-client.js';
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

function toJob(t: QbitTorrent & { save_path?: unknown }): ClientJob {
  return {
    id: t.hash,
    title: t.name,
    progress: num(t.progress),
    status: t.state,
    speedBps: num(t.dlspeed),
    etaSec: num(t.eta),
    category: t.category,
    savePath: typeof t.save_path === 'string' ? t.save_path : undefined,
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
