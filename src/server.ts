import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp, createContext } from './app.js';
import { startAutomationSchedule } from './automation/automation.schedule.js';
import { startBackupSchedule } from './backups/backups.schedule.js';
import { applyRestoreOnStart } from './backups/restore-on-start.js';
import { createServerPresenceSql } from './backups/server-presence.sql.js';
import { type Config, redactUrl } from './config.js';
import type { AppContext } from './context.js';
import { startClusterSignals } from './db/cluster-signals.js';
import { checkpointWal } from './db/maintenance.js';
import { startClusterRelay } from './events/cluster-relay.js';
import { REDACT_PATHS } from './logging.js';
import { startScanWatch } from './media/scanner.watch.js';
import { runStartupHooks } from './startup.js';
import { prepareDatabase } from './storage/database.js';

export const LISTEN_BACKLOG = 4096;

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
  /**
   * SIGTERM/SIGINT: drain within `timeoutMs` (MEDIAOS_SHUTDOWN_TIMEOUT_SECONDS), then checkpoint
   * and close the database. True when everything finished in time; false when requests or a job
   * were cut off at the deadline.
   */
  shutdown(timeoutMs: number): Promise<boolean>;
}

/** A failed listen as the admin needs it: which address, and what to do about it. */
export function listenError(err: unknown, config: Pick<Config, 'host' | 'port'>): Error {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') {
    return new Error(
      `port ${config.port} on ${config.host} is already in use (another MediaOS or another program listens there): stop it, or choose another port with the PORT environment variable (HOST for the address)`,
    );
  }
  return new Error(`cannot listen on ${config.host}:${config.port} (set by HOST and PORT): ${err instanceof Error ? err.message : String(err)}`);
}

export interface StartOptions {
  print?: (line: string) => void;
  mountInfoPath?: string;
  /**
   * false: this process answers HTTP only; another one runs the job queue, the housekeeping and
   * the scheduled jobs (a `serve --workers N` worker that is not the jobs worker). Default true.
   */
  runJobs?: boolean;
  /** false: skip the startup hooks (the `--workers` primary ran them before starting the workers). Default true. */
  startupHooks?: boolean;
}

/** `mediaos serve`: migrate (with a backup when needed), build the app, listen, shut down cleanly. */
export async function startServer(config: Config, opts: StartOptions = {}): Promise<RunningServer> {
  const print = opts.print ?? ((line: string) => console.log(line));
  const runJobs = opts.runJobs ?? true;
  const log = pino({ level: config.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
  // A restore asked for over HTTP (restore-on-start.ts) runs before anything opens the database.
  if (opts.startupHooks ?? true) await applyRestoreOnStart(config, print);
  const prepared = await prepareDatabase(config, { mountInfoPath: opts.mountInfoPath });
  if (prepared.backup) print(`backup of the database before migrating: ${prepared.backup}`);
  for (const r of prepared.migrated) print(`migration ${r.name}: ${r.status}`);
  const { db } = prepared;
  let ctx: AppContext;
  try {
    if (opts.startupHooks ?? true) await runStartupHooks(config, db, print);
    ctx = await createContext(config, db, log);
  } catch (err) {
    await db.close();
    throw err;
  }
  // Read replicas: their lag is known before the first request (until then reads go to the primary).
  await db.checkReplicas?.();
  const app = await buildApp(ctx, { runJobs });
  // Announced so `mediaos restore` refuses to swap the database under us, and so the other server
  // processes of a SQLite file know to exchange events with us (before we send any).
  const presenceSql = createServerPresenceSql(db.kysely);
  let presence: Awaited<ReturnType<typeof presenceSql.announce>>;
  try {
    presence = await presenceSql.announce();
  } catch (err) {
    await app.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw err;
  }
  // Other server processes on this database: their events reach our SSE streams, our writes drop their caches.
  const signals = startClusterSignals(db, {
    peers: async () => (await presenceSql.liveServers()).length > 0,
    onError: (err) => app.log.warn({ err }, 'cluster signal failed'),
  });
  const stopRelay = startClusterRelay({ db, events: ctx.services.events, signals });
  const detachSessionCache = ctx.sessionCache?.attach(signals);
  await Promise.race([signals.ready(), new Promise((r) => setTimeout(r, 5000).unref())]);
  app.server.keepAliveTimeout = 65_000;
  app.server.requestTimeout = 120_000;
  // Node's default accept backlog (511) overflows when a thousand clients connect at once; the
  // kernel then drops their SYNs and they retry after 1, 3, 7, 15, 31 s (measured: a 31 s p99
  // under 1,000 connections). The kernel caps this at net.core.somaxconn.
  let address: string;
  try {
    address = await app.listen({ host: config.host, port: config.port, backlog: LISTEN_BACKLOG });
  } catch (err) {
    // Nothing may keep the process alive after a failed listen (jobs, pool, timers): close all.
    stopRelay();
    detachSessionCache?.();
    await signals.close();
    await presence.release().catch(() => undefined);
    await app.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw listenError(err, config);
  }
  const where = config.engine === 'sqlite' ? config.databaseLocation : redactUrl(config.databaseUrl);
  print(`MediaOS ${ctx.version} listening on ${address} (${config.engine}: ${where}; storage phase ${ctx.phase})`);
  // A backup due now waits MEDIAOS_START_DELAY_SECONDS: the server serves first (backups.schedule.ts).
  const backups = runJobs ? startBackupSchedule(ctx, app.log, { delayMs: config.startDelaySeconds * 1000 }) : undefined;
  const automation = runJobs
    ? startAutomationSchedule(
        {
          queue: ctx.stores.jobs,
          now: ctx.now,
          missingSearchHours: config.missingSearchHours,
          rssSyncMinutes: config.rssSyncMinutes,
          trackSeconds: config.trackSeconds,
          hasOpenGrabs: ctx.services.downloadTracker.hasOpen,
          startDelayMs: config.startDelaySeconds * 1000,
        },
        app.log,
      )
    : undefined;
  const watch =
    runJobs && config.scanWatch
      ? startScanWatch({ settings: ctx.stores.settings, scanner: ctx.services.scanner, debounceMs: config.scanWatchDebounceMs, log: app.log })
      : undefined;
  let closing: Promise<boolean> | undefined;
  /**
   * Fastify's close stops listening, lets in-flight requests finish (new ones on kept-alive
   * connections get 503), then runs the plugins' onClose hooks: the jobs worker claims nothing
   * more and lets a running job finish (drainMs). At the deadline the connections still open are
   * closed; the database is checkpointed and closed either way.
   */
  const stop = (timeoutMs: number): Promise<boolean> => {
    closing ??= (async () => {
      backups?.stop();
      automation?.stop();
      watch?.stop();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      // A kept-alive connection whose request finished after the close began would otherwise hold
      // the close until keepAliveTimeout: closed as soon as it is idle (its client reconnects, refused).
      const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
      const drained = await Promise.race([app.close().then(() => true as const), deadline]);
      clearTimeout(timer);
      clearInterval(sweep);
      if (!drained) {
        app.log.warn({ timeoutMs }, 'shutdown deadline reached: closing the connections and the database under what still runs');
        app.server.closeAllConnections();
      }
      stopRelay();
      detachSessionCache?.();
      await signals.close();
      await presence.release().catch(() => {});
      try {
        checkpointWal(db);
      } catch (err) {
        app.log.warn({ err }, 'WAL checkpoint at shutdown failed');
      }
      await db.close();
      return drained;
    })();
    return closing;
  };
  return {
    app,
    url: address,
    async close() {
      await stop(config.shutdownTimeoutSeconds * 1000);
    },
    shutdown: stop,
  };
}
