import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { createLocksSql, MAINTENANCE_LOCK } from '../db/locks.sql.js';
import { noticesForServers } from '../events/cluster-relay.js';
import { EXIT_ERROR, ImportVerifyError, runImport } from '../migration/import.js';
import { createImportSql } from '../migration/import.sql.js';
import { checkImportSource } from '../migration/import-guards.js';
import { favorSmallHeap } from '../migration/import-memory.js';
import { mismatchLines, quarantineLines, summaryLines } from '../migration/report.js';
import { cliImportProgress } from './import-progress.js';
import type { CliIo } from './io.js';
import { guarded, openMigrationContext } from './migration-context.js';

export function registerImportCommand(program: Command, io: CliIo): void {
  program
    .command('import')
    .description(
      'import a legacy MediaOS config/ directory into the database (backup first, one transaction, verified); exit 0 all imported, 3 some quarantined, 2 error (nothing changed)',
    )
    .option('--from <dir>', 'the legacy config directory (default: MEDIAOS_CONFIG_DIR)')
    .option('--dry-run', 'read and validate everything and print the report; write nothing')
    .option('--legacy-encryption-key <key>', "the old server's ENCRYPTION_KEY, to decrypt its secrets (default: ENCRYPTION_KEY)")
    .option('--skip-broken-files', 'quarantine the bytes of a file that is not valid JSON and go on (default: stop)')
    .option('--allow-empty', 'import a directory that holds none of the legacy files (this empties the database)')
    .option('--prune', "remove what the directory no longer holds even when that is any user or more than 10% of a file's rows (default: refuse)")
    .option('--lock-wait <seconds>', 'how long to wait for another import or migration to finish', '10')
    .option(
      '--force-unlock',
      'first clear a maintenance lock left behind: only one that has expired, or whose holder was a process on this host that no longer runs',
    )
    .option('--report', 'list the quarantined records of the last import instead of importing')
    .action(
      async (opts: {
        from?: string;
        dryRun?: boolean;
        legacyEncryptionKey?: string;
        skipBrokenFiles?: boolean;
        allowEmpty?: boolean;
        prune?: boolean;
        forceUnlock?: boolean;
        lockWait: string;
        report?: boolean;
      }) =>
        guarded(io, EXIT_ERROR, async () => {
          if (!opts.report) {
            // Before the database is opened (and its schema migrated): a wrong directory changes nothing.
            const origin = opts.from
              ? `from --from ${opts.from}`
              : io.env.MEDIAOS_CONFIG_DIR
                ? `from MEDIAOS_CONFIG_DIR=${io.env.MEDIAOS_CONFIG_DIR}`
                : `the default ./config of the working directory ${io.cwd}; set MEDIAOS_CONFIG_DIR or pass --from`;
            checkImportSource(resolve(io.cwd, opts.from ?? loadConfig(io.env, io.cwd).configDir), { allowEmpty: opts.allowEmpty, origin });
          }
          const ctx = await openMigrationContext(io);
          const progress = cliImportProgress(io);
          try {
            if (opts.report) {
              const rows = await createImportSql(ctx.db.kysely, ctx.db.engine).selectQuarantine();
              for (const line of quarantineLines(rows)) io.out(line);
              return;
            }
            const wait = Number(opts.lockWait);
            if (!Number.isFinite(wait) || wait < 0) throw new Error(`--lock-wait must be a number of seconds (got "${opts.lockWait}")`);
            if (opts.forceUnlock) {
              const r = await createLocksSql(ctx.db.kysely).forceUnlock(MAINTENANCE_LOCK);
              if (r.action === 'none') io.out('--force-unlock: no maintenance lock is held');
              else if (r.action === 'cleared') io.out(`--force-unlock: cleared the lock of ${r.holder} (since ${r.since}): ${r.why}`);
              else throw new Error(`--force-unlock: left the lock of ${r.holder} (since ${r.since}) in place: ${r.why}`);
            }
            const from = resolve(io.cwd, opts.from ?? ctx.config.configDir);
            if (io.ownsProcess) favorSmallHeap(); // not in a host process (tests run the CLI in theirs)
            io.out(`${opts.dryRun ? 'dry run: ' : ''}importing ${from} into ${ctx.db.engine}`);
            // Servers running on this database keep library totals and list counts: told like the server's own import tells them.
            const notices = noticesForServers(ctx.db);
            const report = await runImport({
              db: ctx.db,
              from,
              dataDir: ctx.config.dataDir,
              backupRetention: ctx.config.backupRetention,
              legacyKey: opts.legacyEncryptionKey ?? ctx.encryptionKey,
              secretBox: ctx.secretBox,
              dryRun: opts.dryRun,
              skipBrokenFiles: opts.skipBrokenFiles,
              allowEmpty: opts.allowEmpty,
              prune: opts.prune,
              lockWaitMs: wait * 1000,
              restorePragmas: false,
              rollbackJournal: true,
              // V8's small-heap setting off while library.json is checked and parsed (in workers with heaps of their own)
              smallHeap: io.ownsProcess ? favorSmallHeap : undefined,
              progress,
            })
              .catch((err: unknown) => {
                progress.stop();
                if (err instanceof ImportVerifyError) for (const line of mismatchLines(err.mismatches.slice(0, 50))) io.err(`  ${line}`);
                const message = (err instanceof Error ? err.message : String(err)).replace(/(; | \()nothing was changed\)?$/, '');
                const { names, backup } = ctx.schemaMigrated;
                // True to what happened: opening the database may have migrated its schema first.
                if (names.length === 0) throw new Error(`${message} (nothing was changed)`);
                throw new Error(
                  `${message} (no data was changed, but the database schema was migrated first: ${names.join(', ')}${backup ? `; backup from before: ${backup}` : ''})`,
                );
              })
              .finally(notices.stop);
            progress.stop();
            await notices
              .flush()
              .catch((err: unknown) =>
                io.err(
                  `warning: running servers were not told of the import at once (they count again within 5 s): ${err instanceof Error ? err.message : String(err)}`,
                ),
              );
            for (const line of summaryLines(report)) io.out(line);
            io.setExitCode(report.exitCode);
          } finally {
            progress.stop();
            await ctx.close();
          }
        }),
    );
}
