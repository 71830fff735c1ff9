import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app.js';
import { migrationStatus } from '../db/migrator.js';

/**
 * GET /api/health: no auth. 200 `{ok:true, db:{engine, schemaVersion, journalMode, serverVersion,
 * pool?}, storagePhase, fileSync:{failures, lastError?, pending}, version, uptimeSec}`; 503 with ok:false when the database
 * cannot answer. GET /api/system/health and /api/system/info keep the legacy shapes (API.md §16).
 */
/**
 * The dual phases' file side: `pending` lists the stores whose legacy files are behind the
 * database (read from the durable record, so it survives a crash and a restart; the next start
 * rewrites them), `failures` counts failed file writes, durable ones included.
 */
async function fileSyncReport(ctx: AppContext) {
  const { failures, lastError, ledger } = ctx.fileSync;
  if (!ledger) return { failures, ...(lastError ? { lastError } : {}), pending: [] };
  const pending = await ledger.list();
  const durable = pending.reduce((n, p) => n + p.failures, 0);
  const last = pending
    .filter((p) => p.lastError)
    .map((p) => ({ store: p.store, ...p.lastError! }))
    .sort((a, b) => b.at.localeCompare(a.at))[0] ?? lastError;
  return { failures: Math.max(durable, failures), ...(last ? { lastError: last } : {}), pending };
}

export async function healthRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/api/health', { config: { rateLimit: false } }, async (_req, reply) => {
    const uptimeSec = Math.round((Date.now() - ctx.startedAt) / 1000);
    try {
      const status = await migrationStatus(ctx.db);
      const [journalMode, serverVersion] = await Promise.all([ctx.db.journalMode(), ctx.db.serverVersion()]);
      const pool = ctx.db.poolStats();
      const fileSync = await fileSyncReport(ctx);
      return {
        ok: true,
        db: { engine: ctx.db.engine, schemaVersion: status.current, journalMode, serverVersion, ...(pool ? { pool } : {}) },
        storagePhase: ctx.phase,
        fileSync,
        version: ctx.version,
        uptimeSec,
      };
    } catch (err) {
      reply.log.error({ err }, 'health check: database unavailable');
      return reply.status(503).send({
        ok: false,
        error: 'database_unavailable',
        db: { engine: ctx.db.engine },
        storagePhase: ctx.phase,
        version: ctx.version,
        uptimeSec,
      });
    }
  });

  app.get('/api/system/health', { config: { rateLimit: false } }, async () => ({
    status: 'ok',
    timestamp: new Date().toISOString(),
    uptime: process.uptime(),
    version: ctx.version,
    environment: 'production',
  }));

  app.get('/api/system/info', { config: { rateLimit: false } }, async () => ({
    name: 'MediaOS',
    version: ctx.version,
    description: 'Self-hosted media manager',
    environment: 'production',
    nodeVersion: process.version,
    platform: process.platform,
    arch: process.arch,
  }));
}
