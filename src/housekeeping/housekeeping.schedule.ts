import { scheduleIntervalJob } from '../automation/automation.schedule.js';
import type { Config } from '../config.js';
import type { JobQueue } from '../jobs/jobs.queue.js';
import { DB_OPTIMIZE_JOB_TYPE, HOUSEKEEPING_JOB_TYPE, INTEGRITY_CHECK_JOB_TYPE, WAL_CHECKPOINT_JOB_TYPE } from './housekeeping.service.js';

type IntervalConfig = Pick<Config, 'housekeepingHours' | 'dbOptimizeHours' | 'walCheckpointMinutes' | 'integrityCheckHours'>;

/** What scheduling needs: the queue, the clock and the intervals. */
export interface HousekeepingScheduleDeps {
  stores: { jobs: Pick<JobQueue, 'get' | 'enqueue'> };
  config: IntervalConfig & Partial<Pick<Config, 'startDelaySeconds'>>;
  now: () => Date;
}

/** When the process started (ms), for the integrity check's first-run delay; none: no delay. */
export interface HousekeepingStart {
  startedAt?: number;
}

/** Each upkeep job type with its interval in ms (0: off), from the configuration. */
export function housekeepingIntervals(config: IntervalConfig): [type: string, intervalMs: number][] {
  return [
    [HOUSEKEEPING_JOB_TYPE, config.housekeepingHours * 3_600_000],
    [DB_OPTIMIZE_JOB_TYPE, config.dbOptimizeHours * 3_600_000],
    [WAL_CHECKPOINT_JOB_TYPE, config.walCheckpointMinutes * 60_000],
    [INTEGRITY_CHECK_JOB_TYPE, config.integrityCheckHours * 3_600_000],
  ];
}

/** How often the schedule is looked at: the shortest interval, at most every 10 minutes. */
export function housekeepingCheckMs(config: IntervalConfig): number {
  const on = housekeepingIntervals(config)
    .map(([, ms]) => ms)
    .filter((ms) => ms > 0);
  return Math.min(10 * 60_000, ...on);
}

/**
 * Enqueues each upkeep job whose current interval has none yet. The job id is the type and the
 * interval's number (automation.schedule.ts), so across restarts and processes each runs once
 * per interval. Returns the types enqueued now. With `start.startedAt` the integrity check is
 * held until the start delay has passed (integrityRunAt).
 */
export async function scheduleHousekeeping(ctx: HousekeepingScheduleDeps, start: HousekeepingStart = {}): Promise<string[]> {
  const queued: string[] = [];
  for (const [type, ms] of housekeepingIntervals(ctx.config)) {
    const runAt = type === INTEGRITY_CHECK_JOB_TYPE ? integrityRunAt(ctx, start) : undefined;
    if (ms > 0 && (await scheduleIntervalJob({ queue: ctx.stores.jobs, now: ctx.now }, type, ms, runAt))) queued.push(type);
  }
  return queued;
}

/**
 * The integrity check reads the whole database (minutes for a large one): the first one after
 * start waits MEDIAOS_START_DELAY_SECONDS, so a restarted server serves requests and finishes
 * its own start-up work first. It is queued at once (visible in the jobs list) with that run time.
 */
function integrityRunAt(ctx: HousekeepingScheduleDeps, start: HousekeepingStart): Date | undefined {
  const delayMs = (ctx.config.startDelaySeconds ?? 0) * 1000;
  if (start.startedAt === undefined || delayMs === 0) return undefined;
  return new Date(start.startedAt + delayMs);
}
