import { Command, CommanderError } from 'commander';
import { registerBackupCommand } from './cli/backup.command.js';
import { registerDbCommand } from './cli/db.command.js';
import { registerDumpCommands } from './cli/dump.command.js';
import { registerExportCommand } from './cli/export.command.js';
// ---- each command module adds its import here ----
// (command imports)
import { registerImportCommand } from './cli/import.command.js';
import { type CliIo, processIo } from './cli/io.js';
import { registerJobsCommand } from './cli/jobs.command.js';
import { registerMigrateCommand } from './cli/migrate.command.js';
import { registerPhaseCommand } from './cli/phase.command.js';
import { registerQuarantineCommand } from './cli/quarantine.command.js';
import { registerRollbackCommand } from './cli/rollback.command.js';
import { registerServeCommand } from './cli/serve.command.js';
import { registerUserCommand } from './cli/user.command.js';
import { registerVerifyImportCommand } from './cli/verify-import.command.js';
import { VERSION } from './version.js';

export function buildProgram(io: CliIo): Command {
  const program = new Command('mediaos')
    .description('MediaOS server: the MediaOS API on SQLite or PostgreSQL, and the tools to move a legacy config/ directory into it')
    .version(VERSION)
    .exitOverride()
    .enablePositionalOptions()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    // A fixed width, so `--help` reads the same everywhere (and as printed in the README).
    .configureHelp({ helpWidth: 100 });

  registerServeCommand(program, io);
  registerMigrateCommand(program, io);
  // (command registrations)
  registerImportCommand(program, io);
  registerVerifyImportCommand(program, io);
  registerExportCommand(program, io);
  registerRollbackCommand(program, io);
  registerPhaseCommand(program, io);
  registerQuarantineCommand(program, io);
  registerDbCommand(program, io);
  registerDumpCommands(program, io);
  registerUserCommand(program, io);
  registerBackupCommand(program, io);
  registerJobsCommand(program, io);
  return program;
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<void> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode !== 0) io.setExitCode(err.exitCode);
      return;
    }
    io.err(`error: ${err instanceof Error ? err.message : String(err)}`);
    io.setExitCode(1);
  }
}
