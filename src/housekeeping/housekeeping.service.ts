import type { Config } from '../config.js';
import type { Database } from '../db/connect.js';
import type { JobQueue } from '../jobs/jobs.queue.js';
import { createJobsSql } from '../jobs/jobs.sql.js';
import type { SessionsStore } from '../sessions/sessions.types.js';

export const HOUSEKEEPING_JOB_TYPE = 'housekeeping';
const FINISHED_JOBS_KEPT_DAYS = 7;

/** What the chores need (the app context satisfies it). */
export interface HousekeepingDeps {
  db: Database;
  config: Pick<Config, 'dataDir' | 'backupRetention' | 'auditRetentionDays'>;
  stores: { sessions: Pick<SessionsStore, 'deleteExpired'> };
  /** Purges audit rows older than `auditRetentionDays` (MEDIAOS_AUDIT_RETENTION_DAYS). */
  audit?: { purge(days: number): Promise<number> };
  /** Drops metadata answers past their expiry (metadata_cache). */
  metadataCache?: { purgeExpired(): Promise<number> };
  now: () => Date;
}

/** What scheduling needs: the queue and the clock. */
export interface HousekeepingScheduleDeps {
  stores: { jobs: Pick<JobQueue, 'get' | 'enqueue'> };
  now: () => Date;
}

export interface HousekeepingReport {
  expiredSessions: number;
  finishedJobs: number;
  auditRows: number;
  metadataCacheRows: number;
}

/**
 * The daily chores (Servarr habit): drop sessions whose refresh token expired, drop finished jobs
 * older than a week, drop audit rows past their retention, drop expired metadata answers. (The daily database backup is the `serve` backup schedule now: backups.schedule.ts.)
 */
export async function runHousekeeping(ctx: HousekeepingDeps): Promise<HousekeepingReport> {
  const now = ctx.now();
  const expiredSessions = await ctx.stores.sessions.deleteExpired(now.toISOString());
  const cutoff = new Date(now.getTime() - FINISHED_JOBS_KEPT_DAYS * 86_400_000).toISOString();
  const finishedJobs = await createJobsSql(ctx.db.kysely, ctx.db.engine).deleteFinishedBefore(cutoff);
  const auditRows = ctx.audit ? await ctx.audit.purge(ctx.config.auditRetentionDays) : 0;
  const metadataCacheRows = ctx.metadataCache ? await ctx.metadataCache.purgeExpired() : 0;
  return { expiredSessions, finishedJobs, auditRows, metadataCacheRows };
}

/** The job id of a day's run: enqueueing it twice the same day is a no-op (primary key). */
export function housekeepingJobId(day: Date): string {
  return `housekeeping-${day.toISOString().slice(0, 10)}`;
}

/** Enqueues today's housekeeping unless it is already queued or done. */
export async function scheduleHousekeeping(ctx: HousekeepingScheduleDeps): Promise<boolean> {
  const now = ctx.now();
  const id = housekeepingJobId(now);
  if (await ctx.stores.jobs.get(id)) return false;
  try {
    await ctx.stores.jobs.enqueue(HOUSEKEEPING_JOB_TYPE, {}, { id, now, maxAttempts: 2 });
    return true;
  } catch (err) {
    if (await ctx.stores.jobs.get(id)) return false; // another process enqueued it first
    throw err;
  }
}
