import type { Config } from '../config.js';
import type { Database } from '../db/connect.js';
import { listBackups } from './backup-catalog.js';
import { takeBackup } from './backups.service.js';

const MAX_CHECK_MS = 10 * 60_000;

export interface BackupSchedule {
  /** The first check: at start, or `delayMs` after it (undefined when stopped before). */
  first: Promise<string | undefined>;
  /** Takes a scheduled backup when the newest one is older than the interval; returns its file (a failure is logged). */
  tick(): Promise<string | undefined>;
  stop(): void;
}

/**
 * The scheduled backups of `mediaos serve`: every MEDIAOS_BACKUP_INTERVAL_HOURS (default 24; 0
 * turns it off) a `scheduled` archive, keeping MEDIAOS_BACKUP_KEEP of them. Checked at start and
 * every few minutes against the newest scheduled archive on disk, so a restart does not take an
 * extra one and a server that was down for days takes one soon after it is back.
 *
 * `serve` makes the first check `delayMs` after start (MEDIAOS_START_DELAY_SECONDS): copying a
 * large database takes minutes of disk time, and a backup due at start (none yet, or the last
 * one never finished because the server was stopped during it) would otherwise compete with the
 * start itself; the server answers requests first. The later checks follow every few minutes.
 */
export function startBackupSchedule(
  ctx: { db: Database; config: Config; now: () => Date },
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void },
  opts: { delayMs?: number } = {},
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
  let timer: NodeJS.Timeout | undefined;
  const begin = () => {
    if (intervalMs) {
      timer = setInterval(() => void guarded(), Math.min(intervalMs, MAX_CHECK_MS));
      timer.unref();
    }
    return guarded();
  };
  const delayMs = intervalMs ? (opts.delayMs ?? 0) : 0;
  let wait: NodeJS.Timeout | undefined;
  let cancel: () => void = () => {};
  const first =
    delayMs > 0
      ? new Promise<string | undefined>((resolve) => {
          cancel = () => resolve(undefined);
          wait = setTimeout(() => resolve(begin()), delayMs);
          wait.unref();
        })
      : begin();
  return {
    first,
    tick: guarded,
    stop: () => {
      clearTimeout(wait);
      if (timer) clearInterval(timer);
      cancel();
    },
  };
}
