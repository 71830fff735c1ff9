import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { createSessionCache, withSessionDrops } from './auth/session-cache.js';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import type { Database } from './db/connect.js';
import { createCountersSql } from './db/counters.sql.js';
import { databaseRateLimitStore } from './db/rate-limit-store.js';
import { runAsReader } from './db/read-replicas.js';
import { registerEarlyAuth } from './http/auth.js';
import { registerErrorHandler } from './http/errors.js';
import { registerInputGuard } from './http/input-guard.js';
import { registerSecurityHeaders } from './http/security-headers.js';
import { registerJsonParser, registerNotFound, registerOptions, trustProxyOption } from './http/transport.js';
import { registerTurns } from './http/turns.js';
import { registerWebApp, type WebApp } from './http/web-app.js';
import { loggerOptions, requestLoggerFactory } from './logging.js';
import { registerDomainRoutes } from './routes.js';
import { createServices } from './services.js';
import type { StoragePhase } from './storage/phase-list.js';
import type { Logger } from './storage/phased-store.js';
import { flushFileSync } from './storage/phased-store.js';
import { openStorage } from './storage/store-context.js';
import { createStores } from './stores.js';
import { healthRoutes } from './system/health.routes.js';
import { registerRequestMetrics } from './system/metrics.routes.js';
import { VERSION } from './version.js';

/** Builds the AppContext the HTTP app, the jobs worker and tests share. */
export async function createContext(config: Config, db: Database, log: Logger, opts: { phase?: StoragePhase; now?: () => Date } = {}): Promise<AppContext> {
  const { store, jwtSecret } = await openStorage(config, db, log, { phase: opts.phase });
  // PostgreSQL: the per-request session check is kept in this process while it hears the others
  // (server.ts attaches the cluster signals). Every process announces the changes that end a
  // session, whether it keeps a cache itself or not (MEDIAOS_SESSION_CACHE_MS=0).
  const sessionCache = db.engine === 'postgres' ? createSessionCache({ ttlMs: config.sessionCacheMs }) : undefined;
  const stores = sessionCache ? withSessionDrops(createStores(store), sessionCache, sessionCache) : createStores(store);
  const now = opts.now ?? (() => new Date());
  const services = createServices({ config, db, phase: store.phase, stores, jwtSecret, log, now });
  return {
    config,
    db,
    phase: store.phase,
    stores,
    sessionCache,
    services,
    secretBox: store.secretBox,
    jwtSecret,
    fileSync: store.fileSync,
    version: VERSION,
    startedAt: Date.now(),
    now,
  };
}

export interface BuildOptions {
  /** Where log lines go (tests capture them to check no secret is ever logged). */
  logStream?: NodeJS.WritableStream;
  /** false: the job queue worker and the housekeeping schedule run in another process (`serve --workers`). Default true. */
  runJobs?: boolean;
}

/** Largest request body a route takes unless it sets its own `bodyLimit` (1 MiB, Fastify's and legacy's default). */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** Builds the Fastify app; never listens (server.ts does, tests use inject). */
export async function buildApp(ctx: AppContext, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(ctx.config.logLevel, opts.logStream),
    // request.log is made when a request first logs (most never do at the default level).
    childLoggerFactory: requestLoggerFactory,
    // Small by default; a route that needs more (the NZB upload) sets its own bodyLimit.
    bodyLimit: DEFAULT_BODY_LIMIT,
    // TRUST_PROXY: request.ip (login limits, session records) is the client behind the named proxies.
    trustProxy: trustProxyOption(ctx.config.trustProxy),
    // `/api/wanted/` = `/api/wanted`: legacy served its prefixed routes both ways.
    routerOptions: { ignoreTrailingSlash: true },
    // Per-request lines only at debug: at info they would cost more than the queries.
    logController: new LogController({ disableRequestLogging: ctx.config.logLevel !== 'debug' && ctx.config.logLevel !== 'trace' }),
  });
  // Phase files: a legacy file that cannot be written fails the request; health reports it too.
  registerErrorHandler(app, {
    onLegacyFileError: (err) => {
      ctx.fileSync.failures += 1;
      ctx.fileSync.lastError = { store: basename(err.file), message: err.message, at: ctx.now().toISOString() };
    },
  });
  // First hook: requests take turns so the loop accepts new connections under load (turns.ts).
  registerTurns(app);
  registerRequestMetrics(app, ctx.services.metrics);
  // Read replicas serve a request's plain reads; a caller that just wrote reads the primary (read-replicas.ts).
  if (ctx.db.replicas) {
    app.addHook('onRequest', (request, _reply, done) => {
      const auth = request.headers.authorization;
      runAsReader(auth ? createHash('sha256').update(auth).digest('base64url').slice(0, 22) : `ip:${request.ip}`, done);
    });
  }
  registerInputGuard(app);
  registerEarlyAuth(app);
  registerJsonParser(app);
  // Filled in once the web app is registered (last, after every /api route).
  let web: WebApp | undefined;
  registerNotFound(app, (request, reply) => web?.fallback(request, reply) ?? false);
  // Default security headers (as legacy: helmet's defaults); CORS only for the origins the admin lists.
  registerSecurityHeaders(app);
  if (ctx.config.allowedOrigins.length) {
    await app.register(cors, {
      origin: ctx.config.allowedOrigins.includes('*') ? true : ctx.config.allowedOrigins,
      credentials: true,
      methods: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'],
      // A bare OPTIONS (no Origin) gets 204 too, not a text/plain 400.
      strictPreflight: false,
    });
  } else {
    registerOptions(app);
  }
  if (ctx.config.rateLimitMax > 0) {
    // PostgreSQL (where several server processes share one database) and `serve --workers N`:
    // counted in the database, so the limit holds across processes. SQLite with one server
    // process: in memory, no write per request.
    const shared = ctx.db.engine === 'postgres' || ctx.config.workers > 1;
    const store = shared ? databaseRateLimitStore(createCountersSql(ctx.db.kysely)) : undefined;
    await app.register(rateLimit, {
      global: true,
      max: ctx.config.rateLimitMax,
      timeWindow: ctx.config.rateLimitWindowMs,
      skipOnError: true,
      ...(store ? { store } : {}),
    });
  }
  // Pending file-sync records whose removal is due go before the database closes.
  app.addHook('onClose', async () => flushFileSync(ctx.fileSync));
  await app.register(async (i) =>
    healthRoutes(i, { config: ctx.config, db: ctx.db, phase: ctx.phase, fileSync: ctx.fileSync, version: ctx.version, startedAt: ctx.startedAt, now: ctx.now }),
  );
  await registerDomainRoutes(app, ctx, { runJobs: opts.runJobs ?? true });
  web = await registerWebApp(app, ctx.config.webDir);
  return app;
}
