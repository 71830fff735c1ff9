import type { Config } from '../config.js';
import type { Database } from '../db/connect.js';
import { type CheckpointResult, checkpointWal, type IntegrityResult, optimizeDatabase, runIntegrityCheck } from '../db/maintenance.js';
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

export interface HousekeepingReport {
  expiredSessions: number;
  finishedJobs: number;
  auditRows: number;
  metadataCacheRows: number;
}

/**
 * The purge (daily by default, MEDIAOS_HOUSEKEEPING_HOURS): drop sessions whose refresh token expired, drop finished jobs
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

/** The database upkeep jobs, each on its own schedule (housekeeping.schedule.ts). */
export const DB_OPTIMIZE_JOB_TYPE = 'db-optimize';
export const WAL_CHECKPOINT_JOB_TYPE = 'wal-checkpoint';
export const INTEGRITY_CHECK_JOB_TYPE = 'integrity-check';

/** What the database upkeep jobs need. */
export interface MaintenanceDeps {
  db: Database;
  now: () => Date;
}

/** `PRAGMA optimize` on SQLite (a no-op answer on PostgreSQL, whose autovacuum keeps statistics). */
export async function runOptimize(ctx: MaintenanceDeps): Promise<{ optimized: boolean }> {
  return { optimized: await optimizeDatabase(ctx.db) };
}

/** A WAL checkpoint (TRUNCATE) on SQLite; `{checkpoint: null}` on PostgreSQL. */
export async function runCheckpoint(ctx: MaintenanceDeps): Promise<{ checkpoint: CheckpointResult | null }> {
  return { checkpoint: checkpointWal(ctx.db) ?? null };
}

/**
 * The integrity check, stored for /api/health and /metrics. A failed check is the job's result
 * (ok:false with the detail), not a job failure: retrying cannot repair the file.
 */
export async function runIntegrity(ctx: MaintenanceDeps): Promise<IntegrityResult> {
  return runIntegrityCheck(ctx.db, { now: ctx.now });
}
