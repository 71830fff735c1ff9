import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { type Config, databaseTarget, loadConfig } from '../config.js';
import { backupDatabase } from '../db/backup.js';
import type { Database } from '../db/connect.js';
import { formatComparison } from '../db/transfer/checksum.js';
import { type CopyResult, copyDatabase, DEFAULT_BATCH_SIZE } from '../db/transfer/copy.js';
import { describeTarget, parseTargetUrl } from '../db/transfer/target-url.js';
import { type TransferProgress, TransferRefused } from '../db/transfer/transfer-checks.js';
import type { CliIo } from './io.js';

export interface ProgressReporter {
  update(p: TransferProgress): void;
  stop(): void;
}

/**
 * Progress of a whole-database transfer: a cli-progress bar on a terminal (when the total is
 * known), otherwise plain lines: one per finished table, and one per tenth of a large table.
 */
export function progressReporter(io: CliIo, verb: string): ProgressReporter {
  let bar: cliProgress.SingleBar | undefined;
  let last: TransferProgress | undefined;
  let lastStep = 0;
  const finished = (p: TransferProgress) => {
    const overall = p.total ? ` (${p.done}/${p.total} rows, ${Math.floor((p.done * 100) / Math.max(1, p.total))}%)` : '';
    io.out(`  ${p.table}: ${p.tableDone} rows${overall}`);
  };
  return {
    update(p) {
      if (io.isTty && p.total !== undefined) {
        if (!bar) {
          bar = new cliProgress.SingleBar(
            { format: `${verb} [{bar}] {percentage}% | {value}/{total} rows | {table}`, hideCursor: true },
            cliProgress.Presets.shades_classic,
          );
          bar.start(Math.max(1, p.total), 0, { table: p.table });
        }
        bar.update(p.done, { table: p.table });
        return;
      }
      if (last && last.table !== p.table) finished(last);
      if (!last || last.table !== p.table) lastStep = 0;
      const step = p.tableTotal ? Math.floor((p.tableDone * 10) / Math.max(1, p.tableTotal)) : Math.floor(p.tableDone / 100_000);
      if (p.tableDone > 0 && step > lastStep && (p.tableTotal === undefined || p.tableDone < p.tableTotal)) {
        io.out(`  ${p.table}: ${p.tableDone}${p.tableTotal ? `/${p.tableTotal}` : ''} rows`);
      }
      lastStep = Math.max(lastStep, step);
      last = p;
    },
    stop() {
      if (bar) bar.stop();
      else if (last) finished(last);
      bar = undefined;
      last = undefined;
    },
  };
}

export function parseBatchSize(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new TransferRefused(`--batch-size must be an integer from 1 to 100000 (got "${value}")`);
  return n;
}

/** A backup of a SQLite database about to be replaced (PostgreSQL: none; use `mediaos dump`). */
export function backupBeforeReplace(io: CliIo, config: Config, label: string) {
  return async (db: Database) => {
    const file = await backupDatabase(db, config.dataDir, label, config.backupRetention, { freeSpace: io.freeSpace });
    if (file) io.out(`backup of the database being replaced: ${file}`);
  };
}

/** Runs a command body; a refusal is printed as one error line with exit code 1. */
export async function refusing(io: CliIo, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (!(err instanceof TransferRefused)) throw err;
    io.err(`error: ${err.message}`);
    io.setExitCode(1);
  }
}

export function registerDbCommand(program: Command, io: CliIo): void {
  const db = program.command('db').description('whole-database tools (copy between SQLite and PostgreSQL)');
  db.command('copy')
    .description(
      'copy every table to another database (any engine) in one transaction on the target, then compare ' +
        'row counts and checksums of both sides (exit 1 on any difference)',
    )
    .requiredOption('--to <url>', 'target: sqlite:PATH or postgres://user@host:port/db (add ?schema=NAME for a PostgreSQL schema)')
    .option('--from <url>', 'source, same forms as --to (default: the configured DATABASE_URL)')
    .option('--replace', 'replace the rows of a non-empty target (in the same transaction)')
    .option('--batch-size <n>', 'rows per read/insert batch', String(DEFAULT_BATCH_SIZE))
    .action(async (opts: { to: string; from?: string; replace?: boolean; batchSize: string }) =>
      refusing(io, async () => {
        const config = loadConfig(io.env, io.cwd);
        const from = opts.from ? parseUrl(opts.from, io.cwd) : databaseTarget(config);
        const to = { ...parseUrl(opts.to, io.cwd), allowNetworkFs: config.allowNetworkFs };
        const batchSize = parseBatchSize(opts.batchSize);
        io.out(`copying ${describeTarget(from)} -> ${describeTarget(to)}`);
        const progress = progressReporter(io, 'copy');
        let result: CopyResult;
        try {
          result = await copyDatabase({
            from,
            to,
            replace: opts.replace,
            batchSize,
            onProgress: progress.update,
            beforeReplace: backupBeforeReplace(io, config, 'pre-db-copy'),
            freeSpace: io.freeSpace,
          });
        } finally {
          progress.stop();
        }
        if (result.replaced.length) io.out(`replaced the rows of: ${result.replaced.join(', ')}`);
        io.out(`copied ${result.rows} rows (schema version ${result.schemaVersion}); verifying:`);
        for (const line of formatComparison(result.comparison)) io.out(line);
        if (!result.identical) {
          io.err('error: the target differs from the source (see the table above)');
          io.setExitCode(1);
          return;
        }
        io.out('ok: every table has the same row count and checksum on both sides');
      }),
    );
}

function parseUrl(url: string, cwd: string) {
  try {
    return parseTargetUrl(url, cwd);
  } catch (err) {
    throw new TransferRefused(err instanceof Error ? err.message : String(err));
  }
}
