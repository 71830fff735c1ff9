import type { Command } from 'commander';
import { databaseTarget, loadConfig } from '../config.js';
import { backupDatabase, backupsDir } from '../db/backup.js';
import { openDatabase } from '../db/connect.js';
import { checkFreeSpace } from '../db/free-space.js';
import { withMaintenanceLock } from '../db/locks.sql.js';
import { type MigrationResult, migrateDown, migrateTo, migrateToLatest, migrationStatus, tableExists } from '../db/migrator.js';
import { migrationNeeds } from '../db/space-needs.js';
import type { CliIo } from './io.js';

function printResults(io: CliIo, results: MigrationResult[]): void {
  if (!results.length) io.out('nothing to do: the schema is already at the requested version');
  for (const r of results) {
    const arrow = r.direction === 'up' ? 'up  ' : 'down';
    io.out(`${arrow} ${r.name}: ${r.status}${r.error ? ` (${r.error})` : ''}`);
    if (r.sql) for (const s of r.sql) io.out(`    ${s.replace(/\s+/g, ' ').trim()};`);
  }
}

export function registerMigrateCommand(program: Command, io: CliIo): void {
  const migrate = program
    .command('migrate')
    .description('bring the database schema to the latest version (or --to N); takes a backup of an existing SQLite database first')
    .enablePositionalOptions()
    .option('--to <version>', 'migrate up or down to this schema version (0 = empty)')
    .option('--dry-run', 'print the SQL that would run and change nothing')
    .action(async (opts: { to?: string; dryRun?: boolean }) => {
      const config = loadConfig(io.env, io.cwd);
      const db = openDatabase(databaseTarget(config));
      try {
        const before = await migrationStatus(db);
        if (!opts.dryRun && before.current > 0) {
          // The backup and the migration's rewrite must both fit (the estimate is in the message).
          checkFreeSpace(migrationNeeds(db, backupsDir(config.dataDir)), io.freeSpace);
          const file = await backupDatabase(db, config.dataDir, `pre-migrate-v${before.current}`, config.backupRetention, { freeSpace: io.freeSpace });
          if (file) io.out(`backup: ${file}`);
        }
        let target: number | undefined;
        if (opts.to !== undefined) {
          target = Number(opts.to);
          if (!Number.isInteger(target)) throw new Error(`--to must be a version number (got "${opts.to}")`);
        }
        const run = () => (target !== undefined ? migrateTo(db, target, { dryRun: opts.dryRun }) : migrateToLatest(db, { dryRun: opts.dryRun }));
        const outcome = opts.dryRun ? await run() : await withMaintenanceLock(db.kysely, await tableExists(db, 'locks'), 'migrate', run);
        printResults(io, outcome.results);
        if (outcome.error) {
          io.err(`error: ${outcome.error}`);
          io.setExitCode(1);
          return;
        }
        const after = await migrationStatus(db);
        io.out(`schema version: ${after.current}${opts.dryRun ? ' (dry run: unchanged)' : ''}`);
      } finally {
        await db.close();
      }
    });

  migrate
    .command('status')
    .description('print the current schema version and the pending migrations')
    .action(async () => {
      const config = loadConfig(io.env, io.cwd);
      const db = openDatabase(databaseTarget(config));
      try {
        const s = await migrationStatus(db);
        io.out(`current version: ${s.current} (latest: ${s.latest})`);
        for (const a of s.applied) io.out(`applied  ${String(a.version).padStart(4, '0')} ${a.name} at ${a.appliedAt}`);
        for (const p of s.pending) io.out(`pending  ${String(p.version).padStart(4, '0')} ${p.name}`);
        if (s.unknown.length) {
          io.err(`unknown versions in the database (migrated by a newer MediaOS): ${s.unknown.join(', ')}`);
          io.setExitCode(1);
        }
        if (!s.pending.length && !s.unknown.length) io.out('up to date');
      } finally {
        await db.close();
      }
    });

  migrate
    .command('down')
    .description('revert the most recent migration (one step)')
    .option('--dry-run', 'print the SQL that would run and change nothing')
    .action(async (opts: { dryRun?: boolean }) => {
      const config = loadConfig(io.env, io.cwd);
      const db = openDatabase(databaseTarget(config));
      try {
        if (!opts.dryRun) {
          const file = await backupDatabase(db, config.dataDir, 'pre-migrate-down', config.backupRetention);
          if (file) io.out(`backup: ${file}`);
        }
        const down = () => migrateDown(db, { dryRun: opts.dryRun });
        const outcome = opts.dryRun ? await down() : await withMaintenanceLock(db.kysely, await tableExists(db, 'locks'), 'migrate', down);
        printResults(io, outcome.results);
        if (outcome.error) {
          io.err(`error: ${outcome.error}`);
          io.setExitCode(1);
        }
      } finally {
        await db.close();
      }
    });
}
