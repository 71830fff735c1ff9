import type { Command } from 'commander';
import { runRollback } from '../migration/rollback.js';
import type { CliIo } from './io.js';
import { guarded, openMigrationContext } from './migration-context.js';

export function registerRollbackCommand(program: Command, io: CliIo): void {
  program
    .command('rollback')
    .description('archive the config dir, export the database into it and set phase files, so the old server (or ours in phase files) runs on it')
    .option('--legacy-encryption-key <key>', 'encrypt secrets with this legacy ENCRYPTION_KEY (default: ENCRYPTION_KEY)')
    .option('--lock-wait <seconds>', 'how long to wait for an import or migration to finish', '10')
    .action(async (opts: { legacyEncryptionKey?: string; lockWait: string }) =>
      guarded(io, 2, async () => {
        const ctx = await openMigrationContext(io);
        try {
          const r = await runRollback({
            db: ctx.db,
            configDir: ctx.config.configDir,
            dataDir: ctx.config.dataDir,
            backupRetention: ctx.config.backupRetention,
            legacyKey: opts.legacyEncryptionKey ?? ctx.encryptionKey,
            secretBox: ctx.secretBox,
            lockWaitMs: Number(opts.lockWait) * 1000,
          });
          if (r.archive) io.out(`archived the previous config dir: ${r.archive}`);
          for (const f of r.exported.written) io.out(`  wrote ${f.file}: ${f.records} records${f.quarantined ? ` + ${f.quarantined} quarantined` : ''}`);
          for (const f of r.removed) io.out(`  removed ${f} (the database holds none; it is in the archive)`);
          io.out(`storage phase: files (${ctx.config.configDir})`);
          if (ctx.config.storagePhase && ctx.config.storagePhase !== 'files')
            io.out(`warning: MEDIAOS_STORAGE_PHASE=${ctx.config.storagePhase} overrides the recorded phase; unset it`);
          if (r.unverifiable.length) {
            io.out(
              `${r.unverifiable.length} user(s) cannot log in to the old server (their password hash was upgraded to argon2): reset their passwords there:`,
            );
            for (const u of r.unverifiable) io.out(`  ${u.email} (${u.id})`);
          } else {
            io.out('every user can log in to the old server (all password hashes are legacy PBKDF2)');
          }
        } finally {
          await ctx.close();
        }
      }),
    );
}
