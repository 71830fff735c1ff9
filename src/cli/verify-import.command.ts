import { resolve } from 'node:path';
import type { Command } from 'commander';
import { verifyConfigDir } from '../migration/phases.js';
import { mismatchLines } from '../migration/report.js';
import type { CliIo } from './io.js';
import { guarded, openMigrationContext } from './migration-context.js';

export function registerVerifyImportCommand(program: Command, io: CliIo): void {
  program
    .command('verify-import')
    .description(
      'compare every legacy record with the database, field by field (secrets after decryption); exit 0 when they match, 1 on mismatches, 2 on error',
    )
    .option('--from <dir>', 'the legacy config directory (default: MEDIAOS_CONFIG_DIR)')
    .option('--legacy-encryption-key <key>', "the old server's ENCRYPTION_KEY (default: ENCRYPTION_KEY)")
    .option('--limit <n>', 'print at most this many mismatches', '200')
    .action(async (opts: { from?: string; legacyEncryptionKey?: string; limit: string }) =>
      guarded(io, 2, async () => {
        const ctx = await openMigrationContext(io);
        try {
          const from = resolve(io.cwd, opts.from ?? ctx.config.configDir);
          const result = await verifyConfigDir(ctx.db, from, opts.legacyEncryptionKey ?? ctx.encryptionKey, ctx.secretBox);
          const limit = Math.max(1, Number(opts.limit) || 200);
          for (const line of mismatchLines(result.mismatches.slice(0, limit))) io.out(line);
          const more = result.mismatches.length - limit;
          if (more > 0 || result.truncated) io.out(`... and more (${result.mismatches.length}${result.truncated ? '+' : ''} mismatches in all)`);
          io.out(`verify-import: ${result.checked} records compared with ${from}, ${result.mismatches.length}${result.truncated ? '+' : ''} mismatches`);
          io.setExitCode(result.mismatches.length > 0 ? 1 : 0);
        } finally {
          await ctx.close();
        }
      }),
    );
}
