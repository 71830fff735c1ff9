import { basename } from 'node:path';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import cors from '@fastify/cors';
import type { Config, StoragePhase } from './config.js';
import type { Database } from './db/connect.js';
import type { SecretBox } from './security/secret-box.js';
import type { Stores } from './stores/index.js';
import { flushFileSync, type FileSyncStatus } from './stores/dual.js';
import { registerErrorHandler } from './http/errors.js';
import { registerInputGuard } from './http/input-guard.js';
import { registerSecurityHeaders } from './http/security-headers.js';
import { registerJsonParser, registerNotFound, registerOptions } from './http/transport.js';
import { healthRoutes } from './http/health.routes.js';
import { registerDomainRoutes } from './http/routes.js';
import { loggerOptions } from './logging.js';

/** Everything routes and services need, built once by the composition root (server, CLI, tests). */
export interface AppContext {
  config: Config;
  db: Database;
  phase: StoragePhase;
  stores: Stores;
  secretBox: SecretBox;
  jwtSecret: string;
  fileSync: FileSyncStatus;
  version: string;
  startedAt: number;
  /** Injected clock (tests move time to expire tokens). */
  now: () => Date;
}

export interface BuildOptions {
  /** Where log lines go (tests capture them to check no secret is ever logged). */
  logStream?: NodeJS.WritableStream;
}

/** Builds the Fastify app; never listens (server.ts does, tests use inject). */
export async function buildApp(ctx: AppContext, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(ctx.config.logLevel, opts.logStream),
    bodyLimit: Math.max(ctx.config.uploadMaxBytes * 2, 1024 * 1024),
    trustProxy: false,
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
  registerInputGuard(app);
  registerJsonParser(app);
  registerNotFound(app);
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
    await app.register(rateLimit, { global: true, max: ctx.config.rateLimitMax, timeWindow: ctx.config.rateLimitWindowMs });
  }
  // Pending file-sync records whose removal is due go before the database closes.
  app.addHook('onClose', async () => flushFileSync(ctx.fileSync));
  await app.register(async (i) => healthRoutes(i, ctx));
  await registerDomainRoutes(app, ctx);
  return app;
}
