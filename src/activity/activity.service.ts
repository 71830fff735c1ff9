import { type Capability, type DownloadClient, JOB_OPS, type JobOp } from '../download-clients/download-client.js';
import { kindsThat, supports } from '../download-clients/registry.js';
import { activeClient } from '../downloaders/downloaders.clients.js';
import { SECRET_FIELDS } from '../downloaders/downloaders.codec.js';
import type { DownloadersStore } from '../downloaders/downloaders.store.js';
import type { DownloadersSettings } from '../downloaders/downloaders.types.js';
import { NotConfigured } from '../downloads/downloads.service.js';
import { Invalid, missingParams, UpstreamError } from '../errors.js';
import type { GrabsStore } from '../grabs/grabs.store.js';
import type { GrabOrderCursor, GrabRecord, GrabTimeCursor } from '../grabs/grabs.types.js';
import { safeErrorFields, scrub } from '../http-client/http.js';
import { failureStreak, type StreakLogger } from '../logging.js';
import { createClientHistoryMemo } from './activity.client-history.js';
import type { ActivityActionBody, ClientHistoryItem, GrabActivityItem, LiveItem } from './activity.types.js';

/** A keyset page of activity items, the list's size, and where the next page starts (null: none). */
export interface ActivityPage<C> {
  items: GrabActivityItem[];
  total: number;
  next: C | null;
}

function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
const number = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function toItem(r: GrabRecord): GrabActivityItem {
  return compact({
    kind: r.kind,
    id: r.id,
    title: r.title,
    client: r.client,
    protocol: r.protocol,
    ok: r.ok,
    status: r.status,
    at: r.at,
    downloadId: text(r.downloadId),
    state: text(r.state),
    progress: number(r.progress),
    size: number(r.size),
    eta: number(r.eta),
    importedAt: text(r.importedAt),
    importedPath: text(r.importedPath),
    failure: text(r.failure),
  });
}

/** The client's web UI address for a link in the activity page: no user info, no trailing slash. */
function clientUrl(baseUrl: string): string {
  return baseUrl
    .trim()
    .replace(/\/\/[^/@]*@/, '//')
    .replace(/\/+$/, '');
}

/** Every secret the client settings hold (any client, enabled or not). */
function secretsOf(settings: DownloadersSettings): string[] {
  const out: string[] = [];
  for (const section of Object.values(settings))
    for (const field of SECRET_FIELDS) {
      const v = section?.[field];
      if (typeof v === 'string' && v !== '') out.push(v);
    }
  return out;
}

/** The active clients that make `cap`, in preference order (qBittorrent, SABnzbd, NZBGet). */
function activeThat(settings: DownloadersSettings, cap: Capability): DownloadClient[] {
  return kindsThat(cap)
    .map((kind) => activeClient(settings, kind))
    .filter((c): c is DownloadClient => c !== undefined);
}

/**
 * The activity page (API.md §6): the queue and history come from grab records (plus SABnzbd's
 * history), `live` asks the clients. Client failures are swallowed in the lists (that client
 * contributes nothing), as legacy did. Active client = stored `enabled` flag AND a baseUrl.
 */
export function createActivityService(deps: {
  downloaders: Pick<DownloadersStore, 'get'>;
  grabs: Pick<GrabsStore, 'list' | 'count' | 'historyPage' | 'queuePage' | 'countQueue'>;
  /** Milliseconds since the epoch (default Date.now): the age of the remembered client history. */
  now?: () => number;
  /** Where a failing refresh of the remembered client history is told (once per streak). */
  log?: StreakLogger;
}) {
  const now = deps.now ?? Date.now;
  const remembered = createClientHistoryMemo<ClientHistoryItem[]>({ now });
  // Its errors are described by the caller (safe fields, the settings' secrets cut out).
  const refreshes = failureStreak(deps.log, 'activity: download clients history for the paged history', (fields) => fields as object);
  /** What the clients' history depends on: the stored sections of the clients that keep one. */
  const settingsKey = (settings: DownloadersSettings) => JSON.stringify(kindsThat('history').map((kind) => settings[kind] ?? null));

  /** The clients' own finished jobs (up to 50 each), as the history shows them; a client that fails goes to `failures`. */
  async function clientHistory(settings: DownloadersSettings, failures: string[] = []): Promise<ClientHistoryItem[]> {
    const items: ClientHistoryItem[] = [];
    for (const client of activeThat(settings, 'history')) {
      const r = await client.history!(50);
      if (!r.ok) {
        failures.push(r.error.startsWith(`${client.kind}:`) ? r.error : `${client.kind}: ${r.error}`);
        continue;
      }
      for (const e of r.entries)
        items.push(compact({ client: client.kind, protocol: client.protocol, title: e.title, status: e.status, at: e.at, category: e.category }));
    }
    return items;
  }

  /**
   * The clients' history as the remembered answer is loaded: what a client failed (it contributes
   * nothing, as before) or what threw (the remembered answer stays) is logged once per streak, with
   * every credential of the settings cut out. A refresh behind a stale answer reaches no request:
   * without this its failures went unseen.
   */
  async function loadClientHistory(settings: DownloadersSettings): Promise<ClientHistoryItem[]> {
    const failures: string[] = [];
    try {
      const items = await clientHistory(settings, failures);
      if (failures.length === 0) refreshes.succeeded();
      else refreshes.failed({ error: 'client_failed', message: scrub(failures.join('; '), secretsOf(settings)).slice(0, 300) });
      return items;
    } catch (err) {
      refreshes.failed(safeErrorFields(err, secretsOf(settings)));
      throw err;
    }
  }

  /** The clients' history for the first page: remembered, asked for again behind a stale answer. */
  async function pagedClientHistory(): Promise<ClientHistoryItem[]> {
    const settings = await deps.downloaders.get();
    return remembered.get(settingsKey(settings), () => loadClientHistory(settings));
  }

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
    async history(): Promise<(GrabActivityItem | ClientHistoryItem)[]> {
      const settings = await deps.downloaders.get();
      const at = now();
      const fromClients = await clientHistory(settings);
      remembered.remember(settingsKey(settings), fromClients, at);
      const items: (GrabActivityItem | ClientHistoryItem)[] = [...fromClients];
      for (const { record } of await deps.grabs.list()) items.push(toItem(record));
      return items.sort((a, b) => {
        const x = String(a.at);
        const y = String(b.at);
        return x < y ? 1 : x > y ? -1 : 0;
      });
    },

    /**
     * One page of the queue (file order) and its size: what `queue()` answers whole, a page at a
     * time. `next` is where the following page starts (null on the last).
     */
    async queuePage(after: GrabOrderCursor | null, limit: number): Promise<ActivityPage<GrabOrderCursor>> {
      const [page, total] = await Promise.all([deps.grabs.queuePage(after, limit), deps.grabs.countQueue()]);
      return { items: page.entries.map(({ record }) => toItem(record)), total, next: page.next };
    },

    /**
     * One page of the grab records newest first (`at`, then key, descending; records without an
     * `at` last) and how many there are. The clients' own history is not paged: the first page
     * (no `after`) carries it whole as `clientItems`, as the whole answer merges it, as last
     * fetched (activity.client-history.ts): a page does not wait on an unreachable client.
     */
    async historyPage(after: GrabTimeCursor | null, limit: number): Promise<ActivityPage<GrabTimeCursor> & { clientItems?: ClientHistoryItem[] }> {
      const [page, total, clientItems] = await Promise.all([
        deps.grabs.historyPage(after, limit),
        deps.grabs.count(),
        after === null ? pagedClientHistory() : undefined,
      ]);
      return { items: page.entries.map(({ record }) => toItem(record)), total, next: page.next, ...(clientItems ? { clientItems } : {}) };
    },

    async live(): Promise<LiveItem[]> {
      const clients = activeThat(await deps.downloaders.get(), 'list');
      const lists = await Promise.all(clients.map((c) => c.list!()));
      const items: LiveItem[] = [];
      clients.forEach((client, i) => {
        const r = lists[i];
        if (!r.ok) return;
        const url = clientUrl(client.baseUrl);
        for (const j of r.jobs) {
          items.push(
            compact({
              client: client.kind,
              protocol: client.protocol,
              clientId: j.id,
              title: j.title,
              progress: j.progress,
              status: j.status,
              speedBps: j.speedBps,
              etaSec: j.etaSec,
              eta: j.eta,
              category: j.category,
              clientUrl: url,
            }),
          );
        }
      });
      return items;
    },

    /** pause/resume/delete one job: 400 bad input, 409 client not set up, 502 the client failed. */
    async action(body: ActivityActionBody): Promise<void> {
      const { client, op, id } = body;
      if (!client || !op || !id || typeof id !== 'string') {
        throw missingParams([!client && 'client', !op && 'op', (!id || typeof id !== 'string') && 'id'].filter((f): f is string => typeof f === 'string'));
      }
      if (!supports(client, 'act')) throw new Invalid('unsupported_client');
      if (typeof op !== 'string' || !(JOB_OPS as readonly string[]).includes(op)) throw new Invalid('unsupported_op');
      const adapter = activeClient(await deps.downloaders.get(), client);
      if (!adapter?.act) throw new NotConfigured('not_configured');
      const r = await adapter.act(op as JobOp, id);
      if (r.ok) return;
      if (r.status !== undefined) throw new UpstreamError('action_failed', { status: r.status });
      throw new UpstreamError(r.error);
    },
  };
}

export type ActivityService = ReturnType<typeof createActivityService>;
