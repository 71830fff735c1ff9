/**
 * Wanted search (the first half of the automation loop): one queued job per wanted item searches
 * every indexer for it (indexers service -> decisions), records what came back and every
 * rejection on the item, and with `enqueue` grabs the best approved release through the
 * downloads service (which picks the client for the protocol). `POST /api/wanted/scan` queues
 * the jobs and waits a bounded time for their results; `serve` sweeps the missing items every
 * MEDIAOS_MISSING_SEARCH_HOURS (automation.schedule.ts), at most MEDIAOS_MISSING_SEARCH_LIMIT
 * per sweep, least recently searched first (searchMissing).
 */

import type { DownloadsService } from '../downloads/downloads.service.js';
import { AppError } from '../errors.js';
import type { IndexersService, WantedSearchTarget } from '../indexers/indexers.service.js';
import type { JobQueue } from '../jobs/jobs.queue.js';
import { PermanentJobError } from '../jobs/jobs.types.js';
import type { WantedStore } from '../wanted/wanted.store.js';
import { type WantedAutomationFields, type WantedItem, type WantedStatus, wantedKey } from '../wanted/wanted.types.js';

export const WANTED_SEARCH_JOB_TYPE = 'wanted.search';
export const MISSING_SEARCH_JOB_TYPE = 'wanted.search-missing';

/** Rejected releases kept on the item after a search. */
const MAX_REJECTIONS = 50;
/** How long `POST /api/wanted/scan` waits for its jobs before answering with what is done. */
const SCAN_WAIT_MS = 25_000;
const SCAN_POLL_MS = 100;
/** Statuses that already have a release on its way or in the library: no new grab. */
export const HAS_RELEASE: readonly WantedStatus[] = ['grabbed', 'downloading', 'imported'];

export interface WantedSearchPayload {
  kind: string;
  id: string;
  enqueue: boolean;
  /** The scan's time, stamped as `lastScan.at` (legacy: one time for the whole scan). */
  at?: string;
}

export interface WantedSearchResult {
  key: string;
  found: number;
  approved: number;
  grabbed: number;
  release?: string;
}

/** `POST /api/wanted/scan`'s answer: the legacy shape; an unfinished item says `queued` and its job. */
export interface WantedScanReply {
  scanned: number;
  results: ({ key: string; found: number; grabbed: number } | { key: string; found: number; grabbed: number; queued: true; jobId: string })[];
  scannedAt: string;
}

/** Items read per batch while a sweep looks for the least recently searched items without a release. */
const SWEEP_BATCH = 500;

/** How the scheduled missing-items sweep is bounded (MEDIAOS_MISSING_SEARCH_LIMIT, MEDIAOS_MISSING_SEARCH_HOURS). */
export interface MissingSearchBounds {
  /** Most items one sweep queues a search for. */
  limit: number;
  /** The searches are spread evenly over this span (ms) from the sweep on; 0: all at once. */
  spreadMs: number;
}

export interface WantedSearchDeps {
  wanted: Pick<WantedStore, 'get' | 'list' | 'listBySearchAge' | 'update' | 'recordScans'>;
  indexers: Pick<IndexersService, 'searchWanted' | 'readiness'>;
  downloads: Pick<DownloadsService, 'grab'>;
  queue: Pick<JobQueue, 'enqueue' | 'get'>;
  now: () => Date;
  /** Bounded wait of a scan (tests shorten it). */
  scanWaitMs?: number;
  /** The sweep's bounds; default 100 items, all queued at once. */
  missingSearch?: MissingSearchBounds;
}

/** The scheduled sweep's answer: searches queued, or why none was. */
export interface MissingSearchReport {
  queued: number;
  skipped?: string;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const messageOf = (err: unknown): string => (err instanceof AppError || err instanceof Error ? err.message : String(err));

export function parseSearchPayload(payload: unknown): WantedSearchPayload {
  const p = payload as Partial<WantedSearchPayload> | null;
  if (!p || typeof p.kind !== 'string' || typeof p.id !== 'string') throw new PermanentJobError('wanted search: payload needs kind and id');
  return { kind: p.kind, id: p.id, enqueue: p.enqueue === true, ...(typeof p.at === 'string' ? { at: p.at } : {}) };
}

/** What the indexers are asked for an item: its title and kind, and whatever it stored that narrows the search. */
export function targetOf(item: WantedItem): WantedSearchTarget {
  const all: WantedSearchTarget = {
    title: item.title,
    kind: item.kind,
    year: num(item.year),
    qualityProfileId: str(item.qualityProfileId),
    imdbId: str(item.imdbId),
    tmdbId: num(item.tmdbId),
    tvdbId: num(item.tvdbId),
    season: num(item.season),
    episode: num(item.episode),
  };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as unknown as WantedSearchTarget;
}

export function statusOf(item: WantedItem): WantedStatus {
  return (str(item.status) as WantedStatus | undefined) ?? 'wanted';
}

export function createWantedSearch(deps: WantedSearchDeps) {
  const { wanted, now } = deps;

  /** The job: search one item, record the outcome, grab the best approved release when asked. */
  async function searchOne(payload: WantedSearchPayload): Promise<WantedSearchResult> {
    const { kind, id } = payload;
    const item = await wanted.get(kind, id);
    if (!item) throw new PermanentJobError(`wanted item ${wantedKey({ kind, id })} no longer exists`);
    const before = statusOf(item);
    await wanted.update(kind, id, { status: 'searching' });
    let outcome: Awaited<ReturnType<IndexersService['searchWanted']>>;
    try {
      outcome = await deps.indexers.searchWanted(targetOf(item));
    } catch (err) {
      await wanted.update(kind, id, { status: before });
      throw err;
    }
    const { decisions } = outcome;
    const errors = outcome.errors.map((e) => ('indexer' in e ? `${e.indexer}: ${e.error}` : `${e.source}: ${e.error}`));
    const approved = decisions.filter((d) => d.approved);
    const best = approved[0];
    let grabbed = 0;
    let release: string | undefined;
    let status: WantedStatus = HAS_RELEASE.includes(before) ? before : 'wanted';
    if (payload.enqueue && best && !HAS_RELEASE.includes(before)) {
      const c = best.candidate;
      try {
        await deps.downloads.grab({ kind, id, title: c.title, link: c.link, protocol: c.protocol });
        grabbed = 1;
        release = c.title;
        status = 'grabbed';
      } catch (err) {
        errors.push(`grab of "${c.title}" failed: ${messageOf(err)}`);
      }
    }
    const at = payload.at ?? now().toISOString();
    const fields: WantedAutomationFields = {
      status,
      lastSearch: { at, found: decisions.length, approved: approved.length, grabbed, ...(release ? { release } : {}), ...(errors.length ? { errors } : {}) },
      rejections: decisions
        .filter((d) => !d.approved)
        .slice(0, MAX_REJECTIONS)
        .map((d) => ({ title: d.candidate.title, ...(d.candidate.indexer ? { indexer: d.candidate.indexer } : {}), reasons: d.rejections })),
    };
    await wanted.update(kind, id, fields);
    await wanted.recordScans([{ kind, id, lastScan: { at, found: decisions.length, grabbed } }]);
    return { key: wantedKey({ kind, id }), found: decisions.length, approved: approved.length, grabbed, ...(release ? { release } : {}) };
  }

  async function enqueueSearch(item: WantedItem, enqueue: boolean, at?: string, runAt?: Date): Promise<string> {
    const payload: WantedSearchPayload = { kind: item.kind, id: item.id, enqueue, ...(at ? { at } : {}) };
    return deps.queue.enqueue(WANTED_SEARCH_JOB_TYPE, payload, { now: now(), maxAttempts: 2, ...(runAt ? { runAt } : {}) });
  }

  /** Up to `limit` items without a release, least recently searched first. */
  async function leastRecentlySearched(limit: number): Promise<WantedItem[]> {
    const picked: WantedItem[] = [];
    let after: string | null = null;
    do {
      const batch = await wanted.listBySearchAge(after, Math.max(limit, SWEEP_BATCH));
      for (const item of batch.items) {
        if (HAS_RELEASE.includes(statusOf(item))) continue;
        picked.push(item);
        if (picked.length === limit) return picked;
      }
      after = batch.next;
    } while (after !== null);
    return picked;
  }

  return {
    searchOne,

    /**
     * POST /api/wanted/scan: one job per wanted item, then a bounded wait for their results.
     * Each result keeps the legacy shape `{key, found, grabbed}`; an item whose job is not done
     * in time answers `found: 0, grabbed: 0, queued: true, jobId` (its outcome lands on the item
     * when the job runs). The details (approved, rejections) are on the item.
     */
    async scan(opts: { enqueue: boolean }): Promise<WantedScanReply> {
      const scannedAt = now().toISOString();
      const items = await wanted.list();
      const jobs = [] as { item: WantedItem; jobId: string }[];
      for (const item of items) jobs.push({ item, jobId: await enqueueSearch(item, opts.enqueue, scannedAt) });
      const deadline = Date.now() + (deps.scanWaitMs ?? SCAN_WAIT_MS);
      const done = new Map<string, WantedSearchResult | undefined>();
      while (done.size < jobs.length) {
        for (const j of jobs) {
          if (done.has(j.jobId)) continue;
          const rec = await deps.queue.get(j.jobId);
          if (rec && (rec.status === 'completed' || rec.status === 'failed'))
            done.set(j.jobId, rec.status === 'completed' ? (rec.result as WantedSearchResult) : undefined);
        }
        if (done.size === jobs.length || Date.now() >= deadline) break;
        await new Promise((r) => setTimeout(r, SCAN_POLL_MS));
      }
      const results = jobs.map(({ item, jobId }) => {
        const key = wantedKey(item);
        if (!done.has(jobId)) return { key, found: 0, grabbed: 0, queued: true as const, jobId };
        const r = done.get(jobId);
        return { key, found: r?.found ?? 0, grabbed: r?.grabbed ?? 0 };
      });
      return { scanned: items.length, results, scannedAt };
    },

    /** Queues a search (with grab) of one item: after its download failed (download-tracker.ts). */
    async queueSearch(kind: string, id: string): Promise<void> {
      await enqueueSearch({ kind, id, title: '' }, true);
    },

    /**
     * The scheduled sweep: queues a search (with grab) of at most `missingSearch.limit` items
     * without a release, the least recently searched first (never searched before all), spread
     * evenly over `missingSearch.spreadMs` so the indexers are asked a few at a time. Nothing is
     * queued while no indexer could answer (none enabled, or every one backed off after failures:
     * a failing indexer is not asked once per wanted item).
     */
    async searchMissing(): Promise<MissingSearchReport> {
      const { ready, backedOff } = await deps.indexers.readiness();
      if (ready === 0) {
        const skipped = backedOff > 0 ? `every enabled indexer is backed off after failures (${backedOff})` : 'no indexer is enabled';
        return { queued: 0, skipped };
      }
      const bounds = deps.missingSearch ?? { limit: 100, spreadMs: 0 };
      const items = await leastRecentlySearched(bounds.limit);
      const start = now().getTime();
      const step = items.length > 1 ? bounds.spreadMs / items.length : 0;
      for (const [i, item] of items.entries())
        await enqueueSearch(item, true, undefined, i > 0 && step > 0 ? new Date(start + Math.round(i * step)) : undefined);
      return { queued: items.length };
    },
  };
}

export type WantedSearch = ReturnType<typeof createWantedSearch>;
