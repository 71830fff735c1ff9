import type { IndexerStatus } from './indexers.types.js';

/**
 * Escalating backoff of a failing indexer, as Servarr does it: after the 1st, 2nd, ...
 * consecutive failure the indexer is skipped for 5 min, 15 min, 30 min, 1 h, 3 h, 6 h, 12 h, then
 * 24 h for every further failure. One success clears it.
 */
const MIN = 60_000;
export const BACKOFF_STEPS_MS = [5 * MIN, 15 * MIN, 30 * MIN, 60 * MIN, 180 * MIN, 360 * MIN, 720 * MIN, 1440 * MIN] as const;

export function backoffMs(failures: number): number {
  const i = Math.min(Math.max(failures, 1), BACKOFF_STEPS_MS.length) - 1;
  return BACKOFF_STEPS_MS[i];
}

/** The status after one more failure at `now`. */
export function failedStatus(previous: IndexerStatus | undefined, error: string, now: number): IndexerStatus {
  const failures = (typeof previous?.failures === 'number' && previous.failures > 0 ? previous.failures : 0) + 1;
  return { failures, disabledUntil: new Date(now + backoffMs(failures)).toISOString(), lastError: error };
}

/** True while `status` says to skip the indexer. */
export function isBackedOff(status: IndexerStatus | undefined, now: number): boolean {
  if (status === undefined || typeof status.disabledUntil !== 'string') return false;
  const until = Date.parse(status.disabledUntil);
  return Number.isFinite(until) && until > now;
}
