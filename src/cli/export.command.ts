import { resolve } from 'node:path';
import type { Command } from 'commander';
import { exportDatabase } from '../migration/export.js';
import type { CliIo } from './io.js';
import { guarded, openMigrationContext } from './migration-context.js';

export function registerExportCommand(program: Command, io: CliIo): void {
  program
    .command('export')
    .description('write the database as legacy MediaOS config files (its shapes, ids and encryption), quarantined records included')
    .requiredOption('--to <dir>', 'the directory to write the legacy files into')
    .option(
      '--force',
      'replace the legacy files of a directory that is not empty (written complete beside them first, then swapped in; other files are left alone)',
    )
    .option('--legacy-encryption-key <key>', 'encrypt secrets with this legacy ENCRYPTION_KEY (default: ENCRYPTION_KEY)')
    .action(async (opts: { to: string; force?: boolean; legacyEncryptionKey?: string }) =>
      guarded(io, 1, async () => {
        const ctx = await openMigrationContext(io);
        try {
          const key = opts.legacyEncryptionKey ?? ctx.encryptionKey;
          if (key.length < 32) throw new Error('--legacy-encryption-key must be at least 32 characters (the old server refuses shorter keys)');
          const to = resolve(io.cwd, opts.to);
          const result = await exportDatabase({ db: ctx.db, to, legacyKey: key, secretBox: ctx.secretBox, force: opts.force });
          for (const f of result.written) io.out(`  ${f.file}: ${f.records} records${f.quarantined ? ` + ${f.quarantined} quarantined` : ''}`);
          if (result.absent.length) io.out(`  not written (the database holds none): ${result.absent.join(', ')}`);
          if (result.removed.length) io.out(`  removed (the database holds none): ${result.removed.join(', ')}`);
          io.out(`exported ${result.written.length} files to ${to}`);
        } finally {
          await ctx.close();
        }
      }),
    );
}
