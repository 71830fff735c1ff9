import type { JobQueue } from '../jobs/jobs.queue.js';
import { MISSING_SEARCH_JOB_TYPE } from './wanted-search.js';

const MAX_CHECK_MS = 10 * 60_000;

/** The job id of one interval's run: a restart (or a second process) in the same interval enqueues nothing. */
export function missingSearchJobId(at: Date, intervalMs: number): string {
  return `missing-search-${Math.floor(at.getTime() / intervalMs)}`;
}

/** Enqueues this interval's search of the missing wanted items unless it is already queued or done. */
export async function scheduleMissingSearch(deps: { queue: Pick<JobQueue, 'enqueue' | 'get'>; now: () => Date }, intervalMs: number): Promise<boolean> {
  const now = deps.now();
  const id = missingSearchJobId(now, intervalMs);
  if (await deps.queue.get(id)) return false;
  try {
    await deps.queue.enqueue(MISSING_SEARCH_JOB_TYPE, {}, { id, now, maxAttempts: 2 });
    return true;
  } catch (err) {
    if (await deps.queue.get(id)) return false; // another process enqueued it first
    throw err;
  }
}

/**
 * `serve`: every MEDIAOS_MISSING_SEARCH_HOURS (default 6; 0 turns it off) one queued job that
 * searches every wanted item without a release and grabs the best one. Checked at start and
 * every few minutes.
 */
export function startMissingSearchSchedule(
  deps: { queue: Pick<JobQueue, 'enqueue' | 'get'>; now: () => Date; hours: number },
  log: { warn(obj: object, msg: string): void },
): { first: Promise<boolean>; stop(): void } {
  const intervalMs = deps.hours * 3_600_000;
  const tick = () =>
    intervalMs
      ? scheduleMissingSearch(deps, intervalMs).catch((err: unknown) => {
          log.warn({ err }, 'could not schedule the missing-items search');
          return false;
        })
      : Promise.resolve(false);
  const timer = intervalMs ? setInterval(() => void tick(), Math.min(intervalMs, MAX_CHECK_MS)) : undefined;
  timer?.unref();
  return { first: tick(), stop: () => timer && clearInterval(timer) };
}
