import { Invalid, missingParams, UpstreamError } from '../errors.js';
import { qbitAction, qbitList } from '../download-clients/qbittorrent.js';
import { sabAction, sabHistory, sabQueue } from '../download-clients/sabnzbd.js';
import type { ClientResult } from '../http-client/http.js';
import type { DownloadersStore } from '../downloaders/downloaders.store.js';
import { isActive, qbitSettings, sabSettings } from '../downloaders/downloaders.service.js';
import { NotConfigured } from '../downloads/downloads.service.js';
import type { GrabsStore } from '../grabs/grabs.store.js';
import type { GrabRecord } from '../grabs/grabs.types.js';
import type { ActivityActionBody, GrabActivityItem, LiveItem, SabHistoryItem } from './activity.types.js';

const OPS = ['pause', 'resume', 'delete'] as const;
type Op = (typeof OPS)[number];

function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
const number = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function toItem(r: GrabRecord): GrabActivityItem {
  return compact({
    kind: r.kind, id: r.id, title: r.title, client: r.client, protocol: r.protocol, ok: r.ok, status: r.status, at: r.at,
    downloadId: text(r.downloadId), state: text(r.state), progress: number(r.progress), size: number(r.size), eta: number(r.eta),
    importedAt: text(r.importedAt), importedPath: text(r.importedPath), failure: text(r.failure),
  });
}

/** The client's web UI address for a link in the activity page: no user info, no trailing slash. */
function clientUrl(baseUrl: string): string {
  return baseUrl.trim().replace(/\/\/[^/@]*@/, '//').replace(/\/+$/, '');
}

const num = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
};

/**
 * The activity page (API.md §6): the queue and history come from grab records (plus SABnzbd's
 * history), `live` asks the clients. Client failures are swallowed in the lists (that client
 * contributes nothing), as legacy did. Active client = stored `enabled` flag AND a baseUrl.
 */
export function createActivityService(deps: { downloaders: Pick<DownloadersStore, 'get'>; grabs: Pick<GrabsStore, 'list'> }) {
  return {
    /** Grab records with `ok === true` or status "queued", in file order. */
    async queue(): Promise<GrabActivityItem[]> {
      const entries = await deps.grabs.list();
      return entries.filter(({ record: r }) => r.ok === true || r.status === 'queued').map(({ record }) => toItem(record));
    },

    /**
     * Up to 50 SABnzbd history slots plus every grab record, sorted by `String(at)` descending
     * like legacy (SAB's epoch seconds and ISO strings compare as text: SAB entries sort last).
     */
    async history(): Promise<(GrabActivityItem | SabHistoryItem)[]> {
      const settings = await deps.downloaders.get();
      const items: (GrabActivityItem | SabHistoryItem)[] = [];
      const sab = isActive(settings.sabnzbd) ? sabSettings(settings.sabnzbd) : undefined;
      if (sab) {
        const r = await sabHistory(sab, 50);
        if (r.ok) {
          for (const slot of r.slots) {
            items.push(compact({ client: 'sabnzbd', protocol: 'usenet', title: slot.name, status: slot.status, at: slot.completed, category: slot.cat }));
          }
        }
      }
      for (const { record } of await deps.grabs.list()) items.push(toItem(record));
      return items.sort((a, b) => {
        const x = String(a.at);
        const y = String(b.at);
        return x < y ? 1 : x > y ? -1 : 0;
      });
    },

    async live(): Promise<LiveItem[]> {
      const settings = await deps.downloaders.get();
      const qb = isActive(settings.qbittorrent) ? qbitSettings(settings.qbittorrent) : undefined;
      const sab = isActive(settings.sabnzbd) ? sabSettings(settings.sabnzbd) : undefined;
      const [torrents, queue] = await Promise.all([qb ? qbitList(qb) : undefined, sab ? sabQueue(sab) : undefined]);
      const items: LiveItem[] = [];
      if (qb && torrents?.ok) {
        const url = clientUrl(qb.baseUrl);
        for (const t of torrents.torrents) {
          items.push(compact({
            client: 'qbittorrent', protocol: 'torrent', clientId: t.hash, title: t.name, progress: num(t.progress),
            status: t.state, speedBps: num(t.dlspeed), etaSec: num(t.eta), category: t.category, clientUrl: url,
          }));
        }
      }
      if (sab && queue?.ok) {
        const url = clientUrl(sab.baseUrl);
        for (const slot of queue.slots) {
          const mb = num(slot.mb);
          const left = num(slot.mbleft);
          const progress = mb !== undefined && mb > 0 && left !== undefined ? Math.min(1, Math.max(0, (mb - left) / mb)) : undefined;
          items.push(compact({
            client: 'sabnzbd', protocol: 'usenet', clientId: slot.nzo_id, title: slot.filename, progress,
            status: slot.status, eta: slot.timeleft, category: slot.cat, clientUrl: url,
          }));
        }
      }
      return items;
    },

    /** pause/resume/delete one job: 400 bad input, 409 client not set up, 502 the client failed. */
    async action(body: ActivityActionBody): Promise<void> {
      const { client, op, id } = body;
      if (!client || !op || !id || typeof id !== 'string') {
        throw missingParams([!client && 'client', !op && 'op', (!id || typeof id !== 'string') && 'id'].filter((f): f is string => typeof f === 'string'));
      }
      if (client !== 'qbittorrent' && client !== 'sabnzbd') throw new Invalid('unsupported_client');
      if (typeof op !== 'string' || !(OPS as readonly string[]).includes(op)) throw new Invalid('unsupported_op');
      const settings = await deps.downloaders.get();
      let r: ClientResult;
      if (client === 'qbittorrent') {
        const qb = isActive(settings.qbittorrent) ? qbitSettings(settings.qbittorrent) : undefined;
        if (!qb) throw new NotConfigured('not_configured');
        r = await qbitAction(qb, op as Op, id);
      } else {
        const sab = isActive(settings.sabnzbd) ? sabSettings(settings.sabnzbd) : undefined;
        if (!sab) throw new NotConfigured('not_configured');
        r = await sabAction(sab, op as Op, id);
      }
      if (r.ok) return;
      if (r.status !== undefined) throw new UpstreamError('action_failed', { status: r.status });
      throw new UpstreamError(r.error);
    },
  };
}

export type ActivityService = ReturnType<typeof createActivityService>;
