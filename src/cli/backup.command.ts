import { join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { BackupProgress } from '../backups/backup-archive.js';
import { takeBackup } from '../backups/backups.service.js';
import { restoreBackupArchive } from '../backups/restore-archive.js';
import { type Config, databaseTarget, loadConfig } from '../config.js';
import { openDatabase } from '../db/connect.js';
import { describeTarget } from '../db/transfer/target-url.js';
import { assertSourceExists } from '../db/transfer/transfer-checks.js';
import { progressReporter, refusing } from './db.command.js';
import type { CliIo } from './io.js';

/** A bar per stage on a terminal (database copy, then packing); nothing otherwise. */
function backupProgress(io: CliIo) {
  let bar: cliProgress.SingleBar | undefined;
  let stage: BackupProgress['stage'] | undefined;
  return {
    update(p: BackupProgress) {
      if (!io.isTty) return;
      if (stage !== p.stage) {
        bar?.stop();
        stage = p.stage;
        bar = new cliProgress.SingleBar(
          { format: `${p.stage === 'database' ? 'snapshot' : 'archive '} [{bar}] {percentage}% | {value}/{total} ${p.unit}`, hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(Math.max(1, p.total), 0);
      }
      bar!.setTotal(Math.max(1, p.total));
      bar!.update(p.done);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

export function registerBackupCommand(program: Command, io: CliIo): void {
  program
    .command('backup')
    .description(
      'write a backup archive (tar.gz: a consistent database snapshot, secrets.json and a manifest with checksums); ' +
        'safe while the server runs; restore it with `mediaos restore FILE`',
    )
    .option('--to <file>', 'the archive to write (default: <data>/backups/mediaos-backup-manual-<time>.tar.gz, pruned to MEDIAOS_BACKUP_RETENTION)')
    .action(async (opts: { to?: string }) =>
      refusing(io, async () => {
        const config = loadConfig(io.env, io.cwd);
        const target = databaseTarget(config);
        assertSourceExists(target);
        const db = openDatabase(target);
        io.out(`backing up ${describeTarget(target)}`);
        const progress = backupProgress(io);
        try {
          const taken = await takeBackup(db, config, 'manual', {
            file: opts.to ? resolve(io.cwd, opts.to) : undefined,
            onProgress: progress.update,
            freeSpace: io.freeSpace,
          });
          progress.stop();
          const rows = Object.values(taken.manifest.tables).reduce((s, n) => s + n, 0);
          io.out(
            `wrote ${taken.file} (${taken.size} bytes; schema version ${taken.manifest.schemaVersion}; ${rows} rows; ${taken.manifest.members.map((m) => m.name).join(', ')})`,
          );
          for (const name of taken.pruned) io.out(`removed old backup ${name}`);
        } finally {
          progress.stop();
          await db.close();
        }
      }),
    );
}

/** `mediaos restore ARCHIVE` (called by the restore command when its file is a backup archive). */
export async function restoreArchiveCommand(io: CliIo, config: Config, file: string): Promise<void> {
  io.out(`restoring backup archive ${file} -> ${describeTarget(databaseTarget(config))}`);
  const progress = progressReporter(io, 'restore');
  try {
    const r = await restoreBackupArchive(config, file, { onProgress: progress.update });
    progress.stop();
    if (r.preRestoreBackup) io.out(`backup of the database being replaced: ${r.preRestoreBackup}`);
    const rows = Object.values(r.manifest.tables).reduce((s, n) => s + n, 0);
    io.out(
      `restored the ${r.manifest.engine} backup of ${r.manifest.createdAt} (schema version ${r.manifest.schemaVersion}, ${rows} rows); every checksum verified`,
    );
    if (r.secretsRestored) io.out('restored secrets.json (the keys that decrypt stored secrets)');
    if (r.artworkRestored) io.out(`restored ${r.artworkRestored} artwork file(s) into ${join(config.dataDir, 'artwork')}`);
    if (r.migrationPending) io.out('the backup has an older schema: run `mediaos migrate` (or start the server, which migrates it)');
  } finally {
    progress.stop();
  }
}
