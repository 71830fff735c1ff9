import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp, createContext } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import { createServices } from '../../src/services.js';
import type { StoragePhase } from '../../src/storage/phase-list.js';
import type { Stores } from '../../src/stores.js';
import { createTestDatabase, type TestEngine } from './engines.js';

export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789abcdef-0123456789';
export const TEST_ENCRYPTION_KEY = 'test-encryption-key-0123456789abcdef';

export interface TestApp {
  app: FastifyInstance;
  ctx: AppContext;
  /** The temp data dir; the legacy config dir is `configDir` inside it. */
  dir: string;
  configDir: string;
  /** Every log line the app wrote (to check that no secret is ever logged). */
  logs: string[];
  close(): Promise<void>;
}

/**
 * A real app on a real database (SQLite file in a temp dir or a PostgreSQL schema of its own)
 * in the given storage phase. Nothing listens; use app.inject.
 */
export async function createTestApp(
  opts: { engine?: TestEngine; phase?: StoragePhase; env?: Record<string, string>; now?: () => Date } = {},
): Promise<TestApp> {
  const engine = opts.engine ?? 'sqlite';
  const tdb = await createTestDatabase(engine);
  const configDir = join(tdb.dir, 'config');
  mkdirSync(configDir, { recursive: true });
  const config = loadConfig(
    {
      MEDIAOS_DATA_DIR: tdb.dir,
      MEDIAOS_CONFIG_DIR: configDir,
      JWT_SECRET: TEST_JWT_SECRET,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      LOG_LEVEL: 'info',
      RATE_LIMIT_MAX: '0',
      // closing a test app lets a running job finish for 1 s at most (serve: 25 s)
      MEDIAOS_SHUTDOWN_TIMEOUT_SECONDS: '1',
      ...opts.env,
    },
    tdb.dir,
  );
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const silent = { warn() {}, info() {}, error() {} };
  const ctx = await createContext(
    config,
    tdb.db,
    {
      warn: (o, m) => logs.push(JSON.stringify({ ...o, msg: m })),
      info: silent.info,
      error: (o, m) => logs.push(JSON.stringify({ ...o, msg: m })),
    },
    { phase: opts.phase ?? 'db', now: opts.now },
  );
  const app = await buildApp(ctx, { logStream });
  await app.ready();
  return {
    app,
    ctx,
    dir: tdb.dir,
    configDir,
    logs,
    async close() {
      await app.close();
      await tdb.cleanup();
    },
  };
}

/**
 * The context with some stores swapped (a full disk, a failing file), and the services rebuilt on
 * them as the composition root builds them: services hold their stores, so swapping a store alone
 * would change nothing.
 */
export function withStores(ctx: AppContext, overrides: Partial<Stores>): AppContext {
  const stores = { ...ctx.stores, ...overrides };
  const log = { warn() {}, info() {}, error() {} };
  const services = createServices({ config: ctx.config, db: ctx.db, phase: ctx.phase, stores, jwtSecret: ctx.jwtSecret, log, now: ctx.now });
  return { ...ctx, stores, services };
}
