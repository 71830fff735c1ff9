import type { ClientAdapter, ClientJob, ClientSettings, DownloadClient } from './download-client.js';
import { type QbitSettings, type QbitTorrent, qbitAction, qbitAddMagnet, qbitList, qbitTest } from './qbittorrent.js';

const num = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
};

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

/** qBittorrent: magnet links only (as legacy), queue, pause/resume/delete. */
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
      accepts: (link) => link.startsWith('magnet:'),
      addLink: (link, opts) => qbitAddMagnet(opts?.category !== undefined ? { ...s, category: opts.category } : s, link),
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
