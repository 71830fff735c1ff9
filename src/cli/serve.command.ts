import cluster from 'node:cluster';
import { type Command, InvalidArgumentError } from 'commander';
import { loadConfig, MAX_WORKERS } from '../config.js';
import { startServer } from '../server.js';
import type { CliIo } from './io.js';
import { runPrimary, runWorker } from './serve-workers.js';

function parseWorkers(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 1 || n > MAX_WORKERS) {
    throw new InvalidArgumentError(`--workers must be an integer from 1 to ${MAX_WORKERS} (got "${value}")`);
  }
  return n;
}

/** `mediaos serve [--workers N]`: one server process (default), or N of them on one port (serve-workers.ts). */
export function registerServeCommand(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description('run the HTTP server (migrates the database first; PORT, HOST, DATABASE_URL, ... from the environment)')
    .option(
      '--workers <n>',
      `server processes on the one port (node:cluster, 1-${MAX_WORKERS}; storage phase db only; default MEDIAOS_WORKERS or 1)`,
      parseWorkers,
    )
    .action(async (opts: { workers?: number }) => {
      const loaded = loadConfig(io.env, io.cwd);
      const config = { ...loaded, workers: opts.workers ?? loaded.workers };
      if (cluster.isWorker) return runWorker(config, io);
      if (config.workers > 1) return runPrimary(config, config.workers, io);
      const server = await startServer(config, { print: io.out });
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) {
          io.err(`${signal} again: exiting without waiting`);
          process.exit(130);
        }
        stopping = true;
        const timeoutMs = config.shutdownTimeoutSeconds * 1000;
        io.out(`${signal}: shutting down (waiting up to ${config.shutdownTimeoutSeconds} s for requests and jobs)`);
        const started = Date.now();
        const clean = await server.shutdown(timeoutMs).catch((err: unknown) => {
          io.err(`error while shutting down: ${err instanceof Error ? err.message : String(err)}`);
          return false;
        });
        io.out(
          clean ? `stopped in ${Date.now() - started} ms` : `stopped after the ${config.shutdownTimeoutSeconds} s deadline (MEDIAOS_SHUTDOWN_TIMEOUT_SECONDS)`,
        );
        process.exit(clean ? 0 : 1);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
    });
}
