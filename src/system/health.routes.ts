import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { Database } from '../db/connect.js';
import { type DiskSpace, diskSpace } from '../db/disk-space.js';
import { lastIntegrityCheck } from '../db/maintenance.js';
import { migrationStatus } from '../db/migrator.js';
import type { StoragePhase } from '../storage/phase-list.js';
import type { FileSyncStatus } from '../storage/phased-store.js';

export interface HealthDeps {
  config: Pick<Config, 'dataDir' | 'configDir' | 'diskWarnMb'>;
  db: Database;
  phase: StoragePhase;
  fileSync: FileSyncStatus;
  version: string;
  startedAt: number;
  now: () => Date;
}

/** A file write that failed this recently (phase files: no success is tracked there) still counts. */
const RECENT_FILE_FAILURE_MS = 5 * 60_000;

/**
 * GET /api/health: no auth. 200 `{ok, problems, db:{engine, schemaVersion, journalMode,
 * serverVersion, pool?, writes:{failures, lastFailure?, lastSuccessAt?}}, disk:{data, config?},
 * storagePhase, fileSync:{failures, lastError?, pending}, version, uptimeSec}`; 503 with ok:false
 * when the database cannot answer.
 * `ok` is false (status stays 200: reads still work, so a load balancer should not drop the
 * server) and `problems` names why, one short sentence each, when
 *   - the last database write failed (no successful write since): a full disk, a read-only file;
 *   - a legacy file write failed in the last 5 minutes (phase files: the requests failed), or a
 *     dual phase has files behind the database after failed writes (rewritten at the next start);
 *   - the data dir, or the config dir in phases files/dual, has less than MEDIAOS_DISK_WARN_MB free;
 *   - a read replica (DATABASE_READ_URLS) is down or lags past MEDIAOS_REPLICA_MAX_LAG_MS (`db.replicas`).
 *   - the last integrity check (weekly job, db/maintenance.ts) found problems.
 * `integrity` is that check's stored result `{ok, checkedAt, engine, method, detail, checked?, durationMs}`, or null before the first one.
 * Directories are named `data`/`config`, never by path (this answer needs no login). GET /api/system/health and /api/system/info keep the legacy shapes (API.md §16).
 */
/**
 * The dual phases' file side: `pending` lists the stores whose legacy files are behind the
 * database (read from the durable record, so it survives a crash and a restart; the next start
 * rewrites them), `failures` counts failed file writes, durable ones included.
 */
async function fileSyncReport(ctx: HealthDeps) {
  const { failures, lastError, ledger } = ctx.fileSync;
  if (!ledger) return { failures, ...(lastError ? { lastError } : {}), pending: [] };
  const pending = await ledger.list();
  const durable = pending.reduce((n, p) => n + p.failures, 0);
  const last =
    pending
      .filter((p) => p.lastError)
      .map((p) => ({ store: p.store, ...p.lastError! }))
      .sort((a, b) => b.at.localeCompare(a.at))[0] ?? lastError;
  return { failures: Math.max(durable, failures), ...(last ? { lastError: last } : {}), pending };
}

export async function healthRoutes(app: FastifyInstance, ctx: HealthDeps): Promise<void> {
  app.get('/api/health', { config: { rateLimit: false } }, async (_req, reply) => {
    const uptimeSec = Math.round((Date.now() - ctx.startedAt) / 1000);
    try {
      const status = await migrationStatus(ctx.db);
      const [journalMode, serverVersion] = await Promise.all([ctx.db.journalMode(), ctx.db.serverVersion()]);
      const pool = ctx.db.poolStats();
      const fileSync = await fileSyncReport(ctx);
      const writes = ctx.db.writeStatus();
      const integrity = (await lastIntegrityCheck(ctx.db)) ?? null;
      const disk: Record<string, DiskSpace & { low: boolean }> = {};
      const dirs: [string, string][] = [['data', ctx.config.dataDir]];
      if (ctx.phase !== 'db') dirs.push(['config', ctx.config.configDir]);
      for (const [name, dir] of dirs) {
        const d = await diskSpace(dir);
        disk[name] = { ...d, low: d.freeMb !== undefined && d.freeMb < ctx.config.diskWarnMb };
      }
      const problems: string[] = [];
      // Read replicas: one unused (down, or lagging past MEDIAOS_REPLICA_MAX_LAG_MS) is a problem; its reads go to the primary.
      const replicas = ctx.db.replicas ? { replicas: ctx.db.replicas() } : {};
      for (const r of replicas.replicas ?? [])
        if (!r.ok) problems.push(`read replica ${r.name} not used (${r.error ?? 'not checked yet'}); reads go to the primary`);
      if (writes.lastFailure && !(writes.lastSuccessAt && writes.lastSuccessAt > writes.lastFailure.at)) {
        problems.push(`database writes are failing (${writes.lastFailure.reason})`);
      }
      const behind = fileSync.pending.filter((p) => p.failures > 0).map((p) => p.store);
      if (behind.length) problems.push(`legacy files behind the database after failed writes: ${behind.join(', ')} (rewritten at the next start)`);
      else if (fileSync.lastError && ctx.now().getTime() - Date.parse(fileSync.lastError.at) < RECENT_FILE_FAILURE_MS) {
        problems.push(`a legacy file could not be read or written at ${fileSync.lastError.at} (${fileSync.lastError.message})`);
      }
      if (integrity && !integrity.ok) {
        problems.push(`the integrity check of ${integrity.checkedAt} (${integrity.method}) found problems: ${integrity.detail.slice(0, 3).join('; ')}`);
      }
      for (const [name, d] of Object.entries(disk)) {
        if (d.low) problems.push(`${name} dir: ${d.freeMb} MB free, below MEDIAOS_DISK_WARN_MB=${ctx.config.diskWarnMb}`);
      }
      return {
        ok: problems.length === 0,
        problems,
        db: { engine: ctx.db.engine, schemaVersion: status.current, journalMode, serverVersion, ...(pool ? { pool } : {}), writes, ...replicas },
        disk,
        integrity,
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
