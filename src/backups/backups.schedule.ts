import type { Config } from '../config.js';
import type { Database } from '../db/connect.js';
import { listBackups } from './backup-catalog.js';
import { takeBackup } from './backups.service.js';

const MAX_CHECK_MS = 10 * 60_000;

export interface BackupSchedule {
  /** The check made at start. */
  first: Promise<string | undefined>;
  /** Takes a scheduled backup when the newest one is older than the interval; returns its file (a failure is logged). */
  tick(): Promise<string | undefined>;
  stop(): void;
}

/**
 * The scheduled backups of `mediaos serve`: every MEDIAOS_BACKUP_INTERVAL_HOURS (default 24; 0
 * turns it off) a `scheduled` archive, keeping MEDIAOS_BACKUP_KEEP of them. Checked at start and
 * every few minutes against the newest scheduled archive on disk, so a restart does not take an
 * extra one and a server that was down for days takes one as soon as it is back.
 */
export function startBackupSchedule(
  ctx: { db: Database; config: Config; now: () => Date },
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void },
): BackupSchedule {
  const intervalMs = ctx.config.backupIntervalHours * 3_600_000;
  let running: Promise<string | undefined> | undefined;
  const tick = async (): Promise<string | undefined> => {
    if (!intervalMs || ctx.db.target.location === ':memory:') return undefined;
    const newest = listBackups(ctx.config.dataDir).find((b) => b.format === 'archive' && b.kind === 'scheduled');
    if (newest && ctx.now().getTime() - Date.parse(newest.createdAt) < intervalMs) return undefined;
    const taken = await takeBackup(ctx.db, ctx.config, 'scheduled');
    log.info({ file: taken.file, size: taken.size, pruned: taken.pruned }, 'scheduled backup written');
    return taken.file;
  };
  const guarded = () => {
    running ??= tick()
      .catch((err: unknown) => {
        log.warn({ err }, 'scheduled backup failed');
        return undefined;
      })
      .finally(() => (running = undefined));
    return running;
  };
  const timer = intervalMs ? setInterval(() => void guarded(), Math.min(intervalMs, MAX_CHECK_MS)) : undefined;
  timer?.unref();
  return {
    first: guarded(),
    tick: guarded,
    stop: () => {
      if (timer) clearInterval(timer);
    },
  };
}
