import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/connect.js';
import { migrationStatus } from '../db/migrator.js';
import type { StoragePhase } from '../storage/phase-list.js';
import type { FileSyncStatus } from '../storage/phased-store.js';

export interface HealthDeps {
  db: Database;
  phase: StoragePhase;
  fileSync: FileSyncStatus;
  version: string;
  startedAt: number;
}

/**
 * GET /api/health: no auth. 200 `{ok:true, db:{engine, schemaVersion, journalMode, serverVersion,
 * pool?}, storagePhase, fileSync, version, uptimeSec}`; 503 with ok:false when the database
 * cannot answer. GET /api/system/health and /api/system/info keep the legacy shapes (API.md §16).
 */
export async function healthRoutes(app: FastifyInstance, ctx: HealthDeps): Promise<void> {
  app.get('/api/health', { config: { rateLimit: false } }, async (_req, reply) => {
    const uptimeSec = Math.round((Date.now() - ctx.startedAt) / 1000);
    try {
      const status = await migrationStatus(ctx.db);
      const [journalMode, serverVersion] = await Promise.all([ctx.db.journalMode(), ctx.db.serverVersion()]);
      const pool = ctx.db.poolStats();
      return {
        ok: true,
        db: { engine: ctx.db.engine, schemaVersion: status.current, journalMode, serverVersion, ...(pool ? { pool } : {}) },
        storagePhase: ctx.phase,
        fileSync: ctx.fileSync,
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
