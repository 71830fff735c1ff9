import cluster, { type Worker } from 'node:cluster';
import pino from 'pino';
import { applyRestoreOnStart } from '../backups/restore-on-start.js';
import type { Config } from '../config.js';
import { REDACT_PATHS } from '../logging.js';
import { ensureInstanceSecrets } from '../secrets-file.js';
import { type RunningServer, startServer } from '../server.js';
import { runStartupHooks } from '../startup.js';
import { prepareDatabase } from '../storage/database.js';
import { readPhase } from '../storage/phase.js';
import type { CliIo } from './io.js';

/**
 * `mediaos serve --workers N` (MEDIAOS_WORKERS): N server processes on one port (node:cluster;
 * the primary accepts the connections and hands them to the workers in turn).
 *
 * The primary migrates the database and runs the startup hooks once, checks the storage phase is
 * `db` (the legacy files of the other phases have one writer), then starts the workers and only
 * supervises them: it never opens the database while they run. Worker 1 runs the job queue, the
 * housekeeping and the scheduled jobs (backups, searches, RSS sync); the others answer HTTP only.
 * Everything the workers share is in the database (sessions, limiters, rate-limit counters, job
 * leases; events relayed through it: see operations.md "Past one machine").
 *
 * A worker that dies is started again after a backoff (1 s, doubling to 30 s; back to 1 s after
 * a minute of running), in the same role. SIGTERM/SIGINT on the primary drains every worker
 * within MEDIAOS_SHUTDOWN_TIMEOUT_SECONDS; a worker still alive a few seconds after that is killed.
 */

/** Messages between the primary and a worker (node:cluster IPC). */
type ToWorker = { mediaos: 'start'; index: number; runJobs: boolean } | { mediaos: 'shutdown' };
type ToPrimary = { mediaos: 'ready' } | { mediaos: 'listening'; index: number; url: string } | { mediaos: 'failed'; index: number; message: string };

const RESTART_FIRST_MS = 1000;
const RESTART_MAX_MS = 30_000;
/** A worker that ran this long before dying is restarted after the first backoff again. */
const RESTART_RESET_AFTER_MS = 60_000;
/** After the drain deadline, how long the primary waits for the workers' own exits before killing them. */
const KILL_GRACE_MS = 5000;

/** The backoff before restarting a worker that died for the `failures`-th time in a row (1-based). */
export function restartDelayMs(failures: number): number {
  return Math.min(RESTART_FIRST_MS * 2 ** Math.max(0, failures - 1), RESTART_MAX_MS);
}

function isMessage<T extends { mediaos: string }>(m: unknown): m is T {
  return typeof m === 'object' && m !== null && typeof (m as { mediaos?: unknown }).mediaos === 'string';
}

/** The phases other than `db` keep legacy files written by one process: refused with what to do instead. */
function phaseError(workers: number, phase: string, source: string): Error {
  return new Error(
    `--workers ${workers} (MEDIAOS_WORKERS) needs storage phase db, but this instance runs in phase ${phase} (${source}): in that phase the legacy files in MEDIAOS_CONFIG_DIR have a single writer. Run with --workers 1, or move to phase db first (\`mediaos phase set db\`)`,
  );
}

interface Slot {
  index: number;
  runJobs: boolean;
  worker?: Worker;
  startedAt: number;
  /** Deaths in a row without a minute of running in between. */
  failures: number;
  restartTimer?: NodeJS.Timeout;
}

/** The primary: prepare the database once, start and supervise the workers, drain them on a signal. */
export async function runPrimary(config: Config, workers: number, io: CliIo): Promise<void> {
  if (config.storagePhase && config.storagePhase !== 'db') throw phaseError(workers, config.storagePhase, 'MEDIAOS_STORAGE_PHASE');
  // A restore asked for over HTTP runs here, once, before anything opens the database (workers skip it).
  await applyRestoreOnStart(config, (line) => io.out(line));
  const prepared = await prepareDatabase(config);
  if (prepared.backup) io.out(`backup of the database before migrating: ${prepared.backup}`);
  for (const r of prepared.migrated) io.out(`migration ${r.name}: ${r.status}`);
  try {
    await runStartupHooks(config, prepared.db, io.out);
    const phase = await readPhase(prepared.db, config);
    if (phase.effective !== 'db') throw phaseError(workers, phase.effective, phase.recorded ? 'recorded in the database' : 'default');
    // On a first start without JWT_SECRET / ENCRYPTION_KEY, the instance's keys are generated here,
    // once: workers generating them at the same time would each sign with a key of their own.
    ensureInstanceSecrets(config);
  } finally {
    await prepared.db.close();
  }

  const log = pino({ level: config.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }).child({ role: 'primary' });
  const slots: Slot[] = Array.from({ length: workers }, (_, i) => ({ index: i + 1, runJobs: i === 0, startedAt: 0, failures: 0 }));
  let stopping = false;
  let started = false;
  let startupFailure: ((err: Error) => void) | undefined;
  const listening = new Set<number>();
  let allListening: (() => void) | undefined;

  const fork = (slot: Slot) => {
    slot.restartTimer = undefined;
    slot.startedAt = Date.now();
    // The workers see the count too (the request rate limit is counted in the database when > 1).
    const worker = cluster.fork({ MEDIAOS_WORKERS: String(workers) });
    slot.worker = worker;
    worker.on('message', (m: unknown) => {
      if (!isMessage<ToPrimary>(m)) return;
      // The worker listens for messages once its CLI has loaded (a message sent at 'online' would be lost).
      if (m.mediaos === 'ready')
        worker.send({ mediaos: 'start', index: slot.index, runJobs: slot.runJobs } satisfies ToWorker, undefined, {}, () => {}); // a worker gone meanwhile is restarted by its exit
      else if (m.mediaos === 'listening') {
        if (started) {
          log.info({ worker: slot.index, workerPid: worker.process.pid, jobs: slot.runJobs }, 'worker restarted and listening');
          return;
        }
        listening.add(slot.index);
        if (listening.size === slots.length) allListening?.();
      } else if (m.mediaos === 'failed' && !started) {
        startupFailure?.(new Error(`worker ${slot.index} could not start: ${m.message}`));
      }
    });
    worker.on('exit', (code, signal) => {
      if (slot.worker !== worker) return;
      slot.worker = undefined;
      if (stopping) return;
      if (!started) {
        const fail = () => startupFailure?.(new Error(`worker ${slot.index} (pid ${worker.process.pid}) exited while starting (${signal ?? `code ${code}`})`));
        // The worker's 'failed' message (naming the cause) can still be in the IPC channel when its
        // exit is seen: the channel closes ('disconnect') only after it was read, so that goes first.
        if (worker.isConnected()) {
          worker.once('disconnect', fail);
          setTimeout(fail, 1000);
        } else fail();
        return;
      }
      slot.failures = Date.now() - slot.startedAt >= RESTART_RESET_AFTER_MS ? 1 : slot.failures + 1;
      const delayMs = restartDelayMs(slot.failures);
      log.warn(
        { worker: slot.index, workerPid: worker.process.pid, code, signal, jobs: slot.runJobs, restartInMs: delayMs, failuresInARow: slot.failures },
        `worker ${slot.index} exited (${signal ?? `code ${code}`}); restarting it in ${delayMs} ms`,
      );
      slot.restartTimer = setTimeout(() => fork(slot), delayMs);
    });
  };

  /** Asks every live worker to drain; resolves when all exited (true: all on their own with code 0). */
  const stopAll = async (timeoutMs: number): Promise<boolean> => {
    stopping = true;
    const live = slots.filter((s) => {
      if (s.restartTimer) clearTimeout(s.restartTimer);
      return s.worker && !s.worker.isDead();
    });
    let clean = true;
    const exits = live.map(
      (s) =>
        new Promise<void>((resolve) => {
          const w = s.worker!;
          w.once('exit', (code, signal) => {
            if (code !== 0 || signal) clean = false;
            resolve();
          });
          // A worker can exit between the check and the send: with a callback the failed send is an
          // argument (SIGTERM then) instead of an 'error' event that would end this process.
          if (w.isConnected()) w.send({ mediaos: 'shutdown' } satisfies ToWorker, undefined, {}, (err) => err && w.process.kill('SIGTERM'));
          else w.process.kill('SIGTERM');
        }),
    );
    const killer = setTimeout(() => {
      for (const s of live) if (s.worker && !s.worker.isDead()) s.worker.process.kill('SIGKILL');
    }, timeoutMs + KILL_GRACE_MS);
    await Promise.all(exits);
    clearTimeout(killer);
    return clean;
  };

  try {
    await new Promise<void>((resolve, reject) => {
      allListening = resolve;
      startupFailure = reject;
      for (const slot of slots) fork(slot);
    });
  } catch (err) {
    await stopAll(config.shutdownTimeoutSeconds * 1000);
    throw err;
  }
  started = true;
  const pids = slots.map((s) => `${s.index}:${s.worker?.process.pid}`).join(' ');
  io.out(`MediaOS serving with ${workers} workers on ${config.host}:${config.port} (worker:pid ${pids}; worker 1 runs the jobs)`);

  let signalled = false;
  const onSignal = async (signal: string) => {
    if (signalled) {
      io.err(`${signal} again: killing the workers and exiting without waiting`);
      for (const s of slots) s.worker?.process.kill('SIGKILL');
      process.exit(130);
    }
    signalled = true;
    io.out(`${signal}: shutting down ${workers} workers (waiting up to ${config.shutdownTimeoutSeconds} s for requests and jobs)`);
    const t0 = Date.now();
    const clean = await stopAll(config.shutdownTimeoutSeconds * 1000);
    io.out(
      clean
        ? `stopped in ${Date.now() - t0} ms`
        : `stopped after the ${config.shutdownTimeoutSeconds} s deadline (MEDIAOS_SHUTDOWN_TIMEOUT_SECONDS) or with a worker that failed to drain`,
    );
    process.exit(clean ? 0 : 1);
  };
  process.on('SIGINT', () => void onSignal('SIGINT'));
  process.on('SIGTERM', () => void onSignal('SIGTERM'));
}

/** A worker: waits for its role from the primary, serves, drains when the primary says so. */
export function runWorker(config: Config, io: CliIo): void {
  let server: RunningServer | undefined;
  let index = 0;
  let closing: Promise<void> | undefined;
  const send = (m: ToPrimary) => {
    if (process.connected) process.send?.(m);
  };
  const shutdown = () => {
    closing ??= (async () => {
      if (!server) process.exit(0);
      const clean = await server.shutdown(config.shutdownTimeoutSeconds * 1000).catch((err: unknown) => {
        io.err(`worker ${index}: error while shutting down: ${err instanceof Error ? err.message : String(err)}`);
        return false;
      });
      process.exit(clean ? 0 : 1);
    })();
  };
  // The primary coordinates the shutdown: a Ctrl-C reaches the whole process group, and the
  // primary's message follows. A SIGTERM sent to this worker alone drains it (the primary restarts it).
  process.on('SIGINT', () => {});
  process.on('SIGTERM', shutdown);
  // The primary is gone (killed): nothing would restart or stop this worker, so it drains and exits.
  process.on('disconnect', shutdown);
  process.on('message', (m: unknown) => {
    if (!isMessage<ToWorker>(m)) return;
    if (m.mediaos === 'shutdown') return shutdown();
    if (m.mediaos !== 'start' || server || closing) return;
    index = m.index;
    startServer(config, { runJobs: m.runJobs, startupHooks: false, print: (line) => io.out(`[worker ${index}] ${line}`) }).then(
      (s) => {
        server = s;
        if (closing) return void s.shutdown(config.shutdownTimeoutSeconds * 1000).finally(() => process.exit(0));
        send({ mediaos: 'listening', index, url: s.url });
      },
      (err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        io.err(`[worker ${index}] error: ${message}`);
        closing ??= Promise.resolve();
        if (!process.connected) process.exit(1);
        process.send?.({ mediaos: 'failed', index, message } satisfies ToPrimary, undefined, {}, () => process.exit(1));
      },
    );
  });
  send({ mediaos: 'ready' });
}
