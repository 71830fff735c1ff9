import { resolve } from 'node:path';
import type { Command } from 'commander';
import { isBackupArchive } from '../backups/archive-reader.js';
import { databaseTarget, loadConfig } from '../config.js';
import { openDatabase } from '../db/connect.js';
import { formatComparison } from '../db/transfer/checksum.js';
import { DEFAULT_BATCH_SIZE } from '../db/transfer/copy.js';
import { DumpFormatError, dumpDatabase, RestoreVerificationError, restoreDatabase } from '../db/transfer/dump.js';
import { describeTarget } from '../db/transfer/target-url.js';
import { assertSourceExists, TransferRefused } from '../db/transfer/transfer-checks.js';
import { restoreArchiveCommand } from './backup.command.js';
import { backupBeforeReplace, parseBatchSize, progressReporter, refusing } from './db.command.js';
import type { CliIo } from './io.js';

export function registerDumpCommands(program: Command, io: CliIo): void {
  program
    .command('dump')
    .description('write an engine-neutral logical backup of the configured database (gzip JSON lines; restores into SQLite or PostgreSQL)')
    .requiredOption('--to <file>', 'the dump file to write (e.g. mediaos.dump.gz)')
    .option('--batch-size <n>', 'rows per read batch', String(DEFAULT_BATCH_SIZE))
    .action(async (opts: { to: string; batchSize: string }) =>
      refusing(io, async () => {
        const config = loadConfig(io.env, io.cwd);
        const target = databaseTarget(config);
        const batchSize = parseBatchSize(opts.batchSize);
        const file = resolve(io.cwd, opts.to);
        assertSourceExists(target);
        const db = openDatabase(target, { readonly: target.engine === 'sqlite' });
        io.out(`dumping ${describeTarget(target)} -> ${file}`);
        const progress = progressReporter(io, 'dump');
        try {
          const result = await dumpDatabase(db, file, { batchSize, onProgress: progress.update });
          progress.stop();
          io.out(`dumped ${result.rows} rows of ${result.tables.length} tables (schema version ${result.header.schemaVersion}) to ${file}`);
        } finally {
          progress.stop();
          await db.close();
        }
      }),
    );

  program
    .command('restore')
    .description(
      'restore a `mediaos dump` file into the configured database (either engine), in one transaction, verified; ' +
        'or a `mediaos backup` archive: checksums and schema checked, the current database kept as a backup, then swapped (stop the server first)',
    )
    .argument('<file>', 'the dump file or backup archive')
    .option('--replace', 'replace the rows of a non-empty database (in the same transaction; implied for a backup archive)')
    .option('--batch-size <n>', 'rows per insert batch', String(DEFAULT_BATCH_SIZE))
    .action(async (fileArg: string, opts: { replace?: boolean; batchSize: string }) =>
      refusing(io, async () => {
        const config = loadConfig(io.env, io.cwd);
        const target = databaseTarget(config);
        const batchSize = parseBatchSize(opts.batchSize);
        const file = resolve(io.cwd, fileArg);
        if (await isBackupArchive(file)) return restoreArchiveCommand(io, config, file);
        const db = openDatabase(target);
        io.out(`restoring ${file} -> ${describeTarget(target)}`);
        const progress = progressReporter(io, 'restore');
        try {
          const result = await restoreDatabase(db, file, {
            replace: opts.replace,
            batchSize,
            onProgress: progress.update,
            beforeReplace: backupBeforeReplace(io, config, 'pre-restore'),
          });
          progress.stop();
          if (result.replaced.length) io.out(`replaced the rows of: ${result.replaced.join(', ')}`);
          io.out(`restored ${result.rows} rows (dump of ${result.header.engine}, ${result.header.createdAt}); verifying:`);
          for (const line of formatComparison(result.comparison, ['dump', 'restored'])) io.out(line);
          io.out('ok: every table has the row count and checksum recorded in the dump');
        } catch (err) {
          progress.stop();
          if (err instanceof RestoreVerificationError) {
            for (const line of formatComparison(err.comparison, ['dump', 'restored'])) io.out(line);
            throw new TransferRefused(err.message);
          }
          if (err instanceof DumpFormatError) throw new TransferRefused(`${err.message}; the database was not changed`);
          throw err;
        } finally {
          await db.close();
        }
      }),
    );
}
