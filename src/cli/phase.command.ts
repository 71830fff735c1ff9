import { resolve } from 'node:path';
import type { Command } from 'commander';
import { PhaseRefused, setPhase } from '../migration/phases.js';
import { mismatchLines } from '../migration/report.js';
import { readPhase } from '../storage/phase.js';
import { isPhase, STORAGE_PHASES } from '../storage/phase-list.js';
import type { CliIo } from './io.js';
import { guarded, openMigrationContext } from './migration-context.js';

export function registerPhaseCommand(program: Command, io: CliIo): void {
  const phase = program
    .command('phase')
    .description(`show or set the storage phase (${STORAGE_PHASES.join(' -> ')}); moving forward runs verify-import first`)
    .action(async () => show());

  async function show(): Promise<void> {
    await guarded(io, 1, async () => {
      const ctx = await openMigrationContext(io);
      try {
        const s = await readPhase(ctx.db, ctx.config);
        io.out(`storage phase: ${s.effective}${s.fromEnv ? ' (from MEDIAOS_STORAGE_PHASE)' : s.recorded ? '' : ' (default: nothing recorded)'}`);
        if (s.fromEnv && s.recorded && s.recorded !== s.fromEnv) io.out(`recorded in the database: ${s.recorded}`);
      } finally {
        await ctx.close();
      }
    });
  }

  phase
    .command('show')
    .description('print the storage phase')
    .action(async () => show());
  phase
    .command('set')
    .description('record a new storage phase (the server uses it on its next start)')
    .argument('<phase>', STORAGE_PHASES.join(' | '))
    .option('--from <dir>', 'the legacy config directory to check against (default: MEDIAOS_CONFIG_DIR, as for import)')
    .option('--legacy-encryption-key <key>', "the old server's ENCRYPTION_KEY for the check (default: ENCRYPTION_KEY)")
    .option('--force', 'skip the verify-import check / allow leaving phase db without a rollback')
    .action(async (target: string, opts: { from?: string; legacyEncryptionKey?: string; force?: boolean }) =>
      guarded(io, 1, async () => {
        if (!isPhase(target)) throw new Error(`unknown phase "${target}"; one of ${STORAGE_PHASES.join(', ')}`);
        const ctx = await openMigrationContext(io);
        try {
          const configDir = resolve(io.cwd, opts.from ?? ctx.config.configDir);
          const r = await setPhase({
            db: ctx.db,
            config: ctx.config,
            target,
            legacyKey: opts.legacyEncryptionKey ?? ctx.encryptionKey,
            secretBox: ctx.secretBox,
            force: opts.force,
            configDir,
          });
          if (r.verify) io.out(`verify-import: ${r.verify.checked} records compared, ${r.verify.mismatches.length} mismatches`);
          io.out(`storage phase: ${r.from} -> ${r.to} (restart the server to apply)`);
          // The server reads and writes the files in MEDIAOS_CONFIG_DIR, not in the checked directory.
          if (target !== 'db' && configDir !== resolve(io.cwd, ctx.config.configDir)) {
            io.out(`warning: the server uses MEDIAOS_CONFIG_DIR=${ctx.config.configDir}; set it to ${configDir} before restarting`);
          }
          if (ctx.config.storagePhase && ctx.config.storagePhase !== target)
            io.out(`warning: MEDIAOS_STORAGE_PHASE=${ctx.config.storagePhase} overrides the recorded phase; unset it`);
        } catch (err) {
          if (err instanceof PhaseRefused && err.verify) for (const line of mismatchLines(err.verify.mismatches.slice(0, 50))) io.err(`  ${line}`);
          throw err;
        } finally {
          await ctx.close();
        }
      }),
    );
}
