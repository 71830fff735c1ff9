import type { JobQueue } from '../jobs/jobs.queue.js';
import { TRACK_DOWNLOADS_JOB_TYPE } from './download-tracker.js';
import { RSS_SYNC_JOB_TYPE } from './rss-sync.js';
import { MISSING_SEARCH_JOB_TYPE } from './wanted-search.js';

const MAX_CHECK_MS = 10 * 60_000;

type Queue = Pick<JobQueue, 'enqueue' | 'get'>;

/** The job id of one interval's run: a restart (or a second process) in the same interval enqueues nothing. */
export function intervalJobId(type: string, at: Date, intervalMs: number): string {
  return `${type}-${Math.floor(at.getTime() / intervalMs)}`;
}

/** Enqueues this interval's job of `type` unless it is already queued or done. */
export async function scheduleIntervalJob(deps: { queue: Queue; now: () => Date }, type: string, intervalMs: number): Promise<boolean> {
  const now = deps.now();
  const id = intervalJobId(type, now, intervalMs);
  if (await deps.queue.get(id)) return false;
  try {
    await deps.queue.enqueue(type, {}, { id, now, maxAttempts: 2 });
    return true;
  } catch (err) {
    if (await deps.queue.get(id)) return false; // another process enqueued it first
    throw err;
  }
}

export const scheduleMissingSearch = (deps: { queue: Queue; now: () => Date }, intervalMs: number) =>
  scheduleIntervalJob(deps, MISSING_SEARCH_JOB_TYPE, intervalMs);
export const missingSearchJobId = (at: Date, intervalMs: number) => intervalJobId(MISSING_SEARCH_JOB_TYPE, at, intervalMs);

function every(intervalMs: number, checkMs: number, tick: () => Promise<unknown>): { first: Promise<unknown>; stop(): void } {
  if (!intervalMs) return { first: Promise.resolve(false), stop: () => {} };
  const timer = setInterval(() => void tick(), checkMs);
  timer.unref();
  return { first: tick(), stop: () => clearInterval(timer) };
}

/**
 * `serve`'s automation timers, each a queued job once per interval:
 * - every MEDIAOS_MISSING_SEARCH_HOURS (default 6; 0 = off) a search (with grab) of every wanted
 *   item without a release (checked at start and every few minutes);
 * - every MEDIAOS_RSS_SYNC_MINUTES (default 15; 0 = off) an RSS sync of every enabled indexer,
 *   its new releases decided against the wanted items and the best approved one grabbed;
 * - every MEDIAOS_TRACK_SECONDS (default 60; 0 = off) a poll of the download clients that imports
 *   what finished, queued only while some grab is open (`hasOpenGrabs`).
 */
export function startAutomationSchedule(
  deps: { queue: Queue; now: () => Date; missingSearchHours: number; rssSyncMinutes: number; trackSeconds: number; hasOpenGrabs: () => Promise<boolean> },
  log: { warn(obj: object, msg: string): void },
): { first: Promise<unknown>; stop(): void } {
  const warn = (what: string) => (err: unknown) => {
    log.warn({ err }, `could not schedule ${what}`);
    return false;
  };
  const searchMs = deps.missingSearchHours * 3_600_000;
  const trackMs = deps.trackSeconds * 1000;
  const search = every(searchMs, Math.min(searchMs, MAX_CHECK_MS), () => scheduleMissingSearch(deps, searchMs).catch(warn('the missing-items search')));
  const rssMs = deps.rssSyncMinutes * 60_000;
  const rss = every(rssMs, Math.min(rssMs, MAX_CHECK_MS), () => scheduleIntervalJob(deps, RSS_SYNC_JOB_TYPE, rssMs).catch(warn('the RSS sync')));
  const trackTick = async () => ((await deps.hasOpenGrabs()) ? scheduleIntervalJob(deps, TRACK_DOWNLOADS_JOB_TYPE, trackMs) : false);
  const track = every(trackMs, trackMs, () => trackTick().catch(warn('download tracking')));
  return {
    first: Promise.all([search.first, rss.first, track.first]),
    stop: () => {
      search.stop();
      rss.stop();
      track.stop();
    },
  };
}
