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

/** Enqueues this interval's job of `type` unless it is already queued or done; `runAt` (if later than now) holds it until then. */
export async function scheduleIntervalJob(deps: { queue: Queue; now: () => Date }, type: string, intervalMs: number, runAt?: Date): Promise<boolean> {
  const now = deps.now();
  const id = intervalJobId(type, now, intervalMs);
  if (await deps.queue.get(id)) return false;
  try {
    await deps.queue.enqueue(type, {}, { id, now, maxAttempts: 2, ...(runAt && runAt > now ? { runAt } : {}) });
    return true;
  } catch (err) {
    if (await deps.queue.get(id)) return false; // another process enqueued it first
    throw err;
  }
}

export const scheduleMissingSearch = (deps: { queue: Queue; now: () => Date }, intervalMs: number) =>
  scheduleIntervalJob(deps, MISSING_SEARCH_JOB_TYPE, intervalMs);
export const missingSearchJobId = (at: Date, intervalMs: number) => intervalJobId(MISSING_SEARCH_JOB_TYPE, at, intervalMs);

/**
 * Runs `tick` every `checkMs` while `intervalMs` is on. The first tick runs after `delayMs` (0: at
 * once), and the periodic checks begin with it; `first` is that tick's outcome (false when stopped
 * before it ran).
 */
function every(intervalMs: number, checkMs: number, tick: () => Promise<unknown>, delayMs = 0): { first: Promise<unknown>; stop(): void } {
  if (!intervalMs) return { first: Promise.resolve(false), stop: () => {} };
  let timer: NodeJS.Timeout | undefined;
  const begin = () => {
    timer = setInterval(() => void tick(), checkMs);
    timer.unref();
    return tick();
  };
  if (delayMs <= 0) return { first: begin(), stop: () => clearInterval(timer) };
  let wait: NodeJS.Timeout | undefined;
  let cancel: () => void = () => {};
  const first = new Promise<unknown>((resolve) => {
    cancel = () => resolve(false);
    wait = setTimeout(() => resolve(begin()), delayMs);
    wait.unref();
  });
  return {
    first,
    stop: () => {
      clearTimeout(wait);
      clearInterval(timer);
      cancel();
    },
  };
}

/**
 * `serve`'s automation timers, each a queued job once per interval:
 * - every MEDIAOS_MISSING_SEARCH_HOURS (default 6; 0 = off) a sweep that searches (with grab) at
 *   most MEDIAOS_MISSING_SEARCH_LIMIT wanted items without a release (wanted-search.ts);
 * - every MEDIAOS_RSS_SYNC_MINUTES (default 15; 0 = off) an RSS sync of every enabled indexer,
 *   its new releases decided against the wanted items and the best approved one grabbed;
 * - every MEDIAOS_TRACK_SECONDS (default 60; 0 = off) a poll of the download clients that imports
 *   what finished, queued only while some grab is open (`hasOpenGrabs`).
 * The sweep and the RSS sync are first looked at `startDelayMs` after start
 * (MEDIAOS_START_DELAY_SECONDS), then every few minutes: a restarted server answers requests before
 * it asks the indexers anything. Download tracking starts at once (it only polls open grabs).
 */
export function startAutomationSchedule(
  deps: {
    queue: Queue;
    now: () => Date;
    missingSearchHours: number;
    rssSyncMinutes: number;
    trackSeconds: number;
    hasOpenGrabs: () => Promise<boolean>;
    /** Wait before the first sweep and RSS sync (ms); none: at once. */
    startDelayMs?: number;
  },
  log: { warn(obj: object, msg: string): void },
): { first: Promise<unknown>; stop(): void } {
  const warn = (what: string) => (err: unknown) => {
    log.warn({ err }, `could not schedule ${what}`);
    return false;
  };
  const searchMs = deps.missingSearchHours * 3_600_000;
  const trackMs = deps.trackSeconds * 1000;
  const delayMs = deps.startDelayMs ?? 0;
  const search = every(
    searchMs,
    Math.min(searchMs, MAX_CHECK_MS),
    () => scheduleMissingSearch(deps, searchMs).catch(warn('the missing-items search')),
    delayMs,
  );
  const rssMs = deps.rssSyncMinutes * 60_000;
  const rss = every(rssMs, Math.min(rssMs, MAX_CHECK_MS), () => scheduleIntervalJob(deps, RSS_SYNC_JOB_TYPE, rssMs).catch(warn('the RSS sync')), delayMs);
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
