// long-file-reason: every environment variable is read here and nowhere else (docs/design.md): the Config type, its zod schema and the defaults stay side by side so one read shows what a variable does.
import { isIP } from 'node:net';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { PgSynchronousCommit } from './db/connect.js';
import type { Engine } from './db/dialect.js';
import { STORAGE_PHASES, type StoragePhase } from './storage/phase-list.js';

export interface Config {
  engine: Engine;
  /** SQLite file path, or the PostgreSQL URL. */
  databaseLocation: string;
  /** DATABASE_URL as given (redacted form for display: see redactUrl). */
  databaseUrl: string;
  dataDir: string;
  configDir: string;
  host: string;
  port: number;
  jwtSecret?: string;
  encryptionKey?: string;
  /** From MEDIAOS_STORAGE_PHASE; when unset the phase recorded in the database is used. */
  storagePhase?: StoragePhase;
  openRegistration: boolean;
  /** false: refresh tokens are not rotated (for the v0.3 web UI, which keeps its first one). */
  refreshRotation: boolean;
  autoImport: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  rateLimitMax: number;
  rateLimitWindowMs: number;
  loginRateLimitMax: number;
  pgPoolMax: number;
  /** MEDIAOS_PG_PREPARED: hot statements as named prepared statements (off behind a pooler that cannot keep them). */
  pgPrepared: boolean;
  /**
   * MEDIAOS_PG_SYNCHRONOUS_COMMIT: `synchronous_commit` of this server's PostgreSQL sessions;
   * undefined = the database server's own setting.
   */
  pgSynchronousCommit?: PgSynchronousCommit;
  /** DATABASE_SCHEMA (or its older name MEDIAOS_PG_SCHEMA): this instance's PostgreSQL schema. */
  pgSchema?: string;
  /** DATABASE_READ_URLS: PostgreSQL read replicas. */
  readUrls: string[];
  /** MEDIAOS_REPLICA_MAX_LAG_MS: a replica further behind is skipped; a writer reads the primary this long after writing. */
  replicaMaxLagMs: number;
  sqliteCacheMb: number;
  /** SQLite memory-mapped I/O size; 0 (default) reads through the page cache, keeping RSS small. */
  sqliteMmapMb: number;
  backupRetention: number;
  /** /api/health reports ok:false when the data (or config) dir has less free space than this. */
  diskWarnMb: number;
  /** Hours between scheduled backup archives taken by `serve`; 0 turns the schedule off. */
  backupIntervalHours: number;
  /** Hours between the scheduled searches of missing wanted items (serve); 0 turns it off. */
  missingSearchHours: number;
  /** Most wanted items one missing-items sweep searches (least recently searched first). */
  missingSearchLimit: number;
  /** Seconds after start before scheduled work that is due then runs (backup, integrity check, missing search, RSS sync). */
  startDelaySeconds: number;
  /** Seconds between polls of the download clients while a grab is open (serve); 0 turns it off. */
  trackSeconds: number;
  /** Minutes between RSS syncs of every enabled indexer, matched against the wanted items (serve); 0 turns it off. */
  rssSyncMinutes: number;
  /** Scheduled backup archives kept (other kinds keep `backupRetention` each). */
  backupKeep: number;
  /** How long a job claim holds without a heartbeat before another process may re-run the job. */
  jobLeaseSeconds: number;
  /** Days an audit row is kept (housekeeping purges older ones); 0 keeps them forever. */
  auditRetentionDays: number;
  /** A query slower than this (ms) is logged at warn with its shape and route; 0 logs every query. */
  slowQueryMs: number;
  /** Base URL of the OpenSubtitles REST API (v1 paths are appended). */
  openSubtitlesUrl: string;
  /** Bearer token that may read GET /metrics; unset: only an admin may. */
  metricsToken?: string;
  uploadMaxBytes: number;
  /** Open a SQLite database on a network file system anyway (NFS, SMB, FUSE...; refused by default). */
  allowNetworkFs: boolean;
  /** Hours between purges of expired sessions, old finished jobs and old audit rows; 0 = off. */
  housekeepingHours: number;
  /** Hours between `PRAGMA optimize` runs (SQLite); 0 = off. */
  dbOptimizeHours: number;
  /** Minutes between WAL checkpoints (SQLite); 0 = off (SQLite's automatic checkpoints only). */
  walCheckpointMinutes: number;
  /** Hours between integrity checks (SQLite integrity_check, PostgreSQL amcheck or counts); 0 = off. */
  integrityCheckHours: number;
  /** Seconds SIGTERM/SIGINT waits for in-flight requests and running jobs before closing anyway. */
  shutdownTimeoutSeconds: number;
  /** MEDIAOS_WORKERS: server processes `serve` runs (node:cluster); more than 1 only in storage phase `db`. */
  workers: number;
  /** Largest image copied into `<data>/artwork/`. */
  artworkMaxBytes: number;
  /** Watch the media folders and rescan a changed folder (media/scanner.watch.ts); off by default. */
  scanWatch: boolean;
  /** Quiet time after a change before the watch rescans its folder. */
  scanWatchDebounceMs: number;
  /** Base URLs of the metadata services (tests point them at a local server). */
  tmdbUrl: string;
  tmdbImageUrl: string;
  musicBrainzUrl: string;
  openLibraryUrl: string;
  /** Hours a metadata answer is served from the database cache. */
  metadataCacheHours: number;
  /** Milliseconds one metadata request may take. */
  metadataTimeoutMs: number;
  /** Origins allowed to call the API from a browser on another origin (CORS); empty = same-origin only. */
  allowedOrigins: string[];
  /**
   * Fastify's trustProxy, from TRUST_PROXY: false (default: the client is the socket's peer),
   * true (trust every hop), a hop count, or the proxies' addresses/CIDRs.
   */
  trustProxy: boolean | number | string[];
  /** The built web app served at / (web/dist of the installation unless MEDIAOS_WEB_DIR names another). */
  webDir: string;
  /** Seconds during which a just-rotated refresh token is answered with the pair that replaced it. */
  refreshGraceSeconds: number;
  /**
   * PostgreSQL: milliseconds a checked session is kept in this process (MEDIAOS_SESSION_CACHE_MS,
   * auth/session-cache.ts); 0 = every request reads it from the database.
   */
  sessionCacheMs: number;
}

/** The values PostgreSQL takes for `synchronous_commit`. */
const PG_SYNCHRONOUS_COMMIT: readonly PgSynchronousCommit[] = ['on', 'off', 'local', 'remote_write', 'remote_apply'];

export class ConfigError extends Error {}

/** Most server processes `serve --workers` / MEDIAOS_WORKERS may run. */
export const MAX_WORKERS = 64;

const bool = (name: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      const s = v.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off'].includes(s)) return false;
      ctx.addIssue({ code: 'custom', message: `${name} must be true or false (got "${v}")` });
      return z.NEVER;
    });

const int = (name: string, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be an integer from ${min} to ${max} (got "${v}")` });
        return z.NEVER;
      }
      return n;
    });

const secret = (name: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      if (v.length < 32) {
        ctx.addIssue({ code: 'custom', message: `${name} must be at least 32 characters (it has ${v.length})` });
        return z.NEVER;
      }
      return v;
    });

const schemaName = (name: string) =>
  z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, `${name} must be a lowercase SQL identifier (letters, digits, _; at most 63)`)
    .optional()
    .or(z.literal(''));
const httpUrl = (name: string) =>
  z
    .string()
    .optional()
    .refine(
      (v) => {
        if (v === undefined || v === '') return true;
        try {
          const u = new URL(v);
          return (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password;
        } catch {
          return false;
        }
      },
      { message: `${name} must be an http(s) URL without credentials` },
    );

const envSchema = z.object({
  DATABASE_URL: z.string().optional(),
  MEDIAOS_DATA_DIR: z.string().optional(),
  MEDIAOS_CONFIG_DIR: z.string().optional(),
  HOST: z.string().optional(),
  PORT: int('PORT', 0, 65535),
  JWT_SECRET: secret('JWT_SECRET'),
  ENCRYPTION_KEY: secret('ENCRYPTION_KEY'),
  MEDIAOS_STORAGE_PHASE: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || (STORAGE_PHASES as readonly string[]).includes(v), {
      message: `MEDIAOS_STORAGE_PHASE must be one of ${STORAGE_PHASES.join(', ')}`,
    }),
  MEDIAOS_OPEN_REGISTRATION: bool('MEDIAOS_OPEN_REGISTRATION'),
  MEDIAOS_REFRESH_ROTATION: bool('MEDIAOS_REFRESH_ROTATION'),
  MEDIAOS_AUTO_IMPORT: bool('MEDIAOS_AUTO_IMPORT'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .optional(),
  RATE_LIMIT_MAX: int('RATE_LIMIT_MAX', 0, 10_000_000),
  RATE_LIMIT_WINDOW: z.string().optional(),
  MEDIAOS_LOGIN_RATE_LIMIT: int('MEDIAOS_LOGIN_RATE_LIMIT', 1, 10_000),
  MEDIAOS_PG_POOL_MAX: int('MEDIAOS_PG_POOL_MAX', 1, 1000),
  MEDIAOS_PG_PREPARED: bool('MEDIAOS_PG_PREPARED'),
  MEDIAOS_PG_SYNCHRONOUS_COMMIT: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || (PG_SYNCHRONOUS_COMMIT as readonly string[]).includes(v), {
      message: `MEDIAOS_PG_SYNCHRONOUS_COMMIT must be one of ${PG_SYNCHRONOUS_COMMIT.join(', ')}`,
    }),
  DATABASE_READ_URLS: z.string().optional(),
  MEDIAOS_REPLICA_MAX_LAG_MS: int('MEDIAOS_REPLICA_MAX_LAG_MS', 0, 3_600_000),
  DATABASE_SCHEMA: schemaName('DATABASE_SCHEMA'),
  MEDIAOS_PG_SCHEMA: schemaName('MEDIAOS_PG_SCHEMA'),
  MEDIAOS_SQLITE_CACHE_MB: int('MEDIAOS_SQLITE_CACHE_MB', 1, 4096),
  MEDIAOS_SQLITE_MMAP_MB: int('MEDIAOS_SQLITE_MMAP_MB', 0, 65536),
  MEDIAOS_BACKUP_RETENTION: int('MEDIAOS_BACKUP_RETENTION', 1, 1000),
  MEDIAOS_DISK_WARN_MB: int('MEDIAOS_DISK_WARN_MB', 0, 1_000_000_000),
  MEDIAOS_BACKUP_INTERVAL_HOURS: int('MEDIAOS_BACKUP_INTERVAL_HOURS', 0, 8760),
  MEDIAOS_BACKUP_KEEP: int('MEDIAOS_BACKUP_KEEP', 1, 1000),
  MEDIAOS_JOB_LEASE_SECONDS: int('MEDIAOS_JOB_LEASE_SECONDS', 1, 86400),
  MEDIAOS_AUDIT_RETENTION_DAYS: int('MEDIAOS_AUDIT_RETENTION_DAYS', 0, 36500),
  MEDIAOS_SLOW_QUERY_MS: int('MEDIAOS_SLOW_QUERY_MS', 0, 3_600_000),
  MEDIAOS_METRICS_TOKEN: secret('MEDIAOS_METRICS_TOKEN'),
  MEDIAOS_OPENSUBTITLES_URL: z.url({ protocol: /^https?$/, message: 'MEDIAOS_OPENSUBTITLES_URL must be an http(s) URL' }).optional(),
  MEDIAOS_MISSING_SEARCH_HOURS: int('MEDIAOS_MISSING_SEARCH_HOURS', 0, 8760),
  MEDIAOS_MISSING_SEARCH_LIMIT: int('MEDIAOS_MISSING_SEARCH_LIMIT', 1, 100_000),
  MEDIAOS_START_DELAY_SECONDS: int('MEDIAOS_START_DELAY_SECONDS', 0, 86_400),
  MEDIAOS_TRACK_SECONDS: int('MEDIAOS_TRACK_SECONDS', 0, 86_400),
  MEDIAOS_RSS_SYNC_MINUTES: int('MEDIAOS_RSS_SYNC_MINUTES', 0, 10_080),
  MEDIAOS_ALLOW_NETWORK_FS: bool('MEDIAOS_ALLOW_NETWORK_FS'),
  MEDIAOS_HOUSEKEEPING_HOURS: int('MEDIAOS_HOUSEKEEPING_HOURS', 0, 8760),
  MEDIAOS_DB_OPTIMIZE_HOURS: int('MEDIAOS_DB_OPTIMIZE_HOURS', 0, 8760),
  MEDIAOS_WAL_CHECKPOINT_MINUTES: int('MEDIAOS_WAL_CHECKPOINT_MINUTES', 0, 525_600),
  MEDIAOS_INTEGRITY_CHECK_HOURS: int('MEDIAOS_INTEGRITY_CHECK_HOURS', 0, 8760),
  MEDIAOS_SHUTDOWN_TIMEOUT_SECONDS: int('MEDIAOS_SHUTDOWN_TIMEOUT_SECONDS', 1, 3600),
  MEDIAOS_WORKERS: int('MEDIAOS_WORKERS', 1, MAX_WORKERS),
  UPLOAD_MAX_BYTES: int('UPLOAD_MAX_BYTES', 1024, 1024 * 1024 * 1024),
  MEDIAOS_ARTWORK_MAX_BYTES: int('MEDIAOS_ARTWORK_MAX_BYTES', 1024, 1024 * 1024 * 1024),
  MEDIAOS_SCAN_WATCH: bool('MEDIAOS_SCAN_WATCH'),
  MEDIAOS_SCAN_WATCH_DEBOUNCE_MS: int('MEDIAOS_SCAN_WATCH_DEBOUNCE_MS', 50, 3_600_000),
  MEDIAOS_TMDB_URL: httpUrl('MEDIAOS_TMDB_URL'),
  MEDIAOS_TMDB_IMAGE_URL: httpUrl('MEDIAOS_TMDB_IMAGE_URL'),
  MEDIAOS_MUSICBRAINZ_URL: httpUrl('MEDIAOS_MUSICBRAINZ_URL'),
  MEDIAOS_OPENLIBRARY_URL: httpUrl('MEDIAOS_OPENLIBRARY_URL'),
  MEDIAOS_METADATA_CACHE_HOURS: int('MEDIAOS_METADATA_CACHE_HOURS', 0, 8760),
  MEDIAOS_METADATA_TIMEOUT_MS: int('MEDIAOS_METADATA_TIMEOUT_MS', 500, 120_000),
  ALLOWED_ORIGINS: z.string().optional(),
  TRUST_PROXY: z.string().optional(),
  MEDIAOS_WEB_DIR: z.string().optional(),
  MEDIAOS_REFRESH_GRACE_SECONDS: int('MEDIAOS_REFRESH_GRACE_SECONDS', 0, 300),
  MEDIAOS_SESSION_CACHE_MS: int('MEDIAOS_SESSION_CACHE_MS', 0, 300_000),
});

/** web/dist next to src/ (or dist/) of this installation: config.ts is one level below the package root. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../web/dist', import.meta.url));

/** Accepts "60000" (ms, as legacy passed it through), "30 seconds", "1 minute", "2 hours". */
export function parseDuration(value: string, name: string): number {
  const s = value.trim().toLowerCase();
  if (/^\d+$/.test(s)) return Number(s);
  const m = /^(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|sec|seconds?|m|min|minutes?|h|hours?)$/.exec(s);
  if (!m) throw new ConfigError(`${name} must be milliseconds or a duration like "1 minute" (got "${value}")`);
  const n = Number(m[1]);
  const unit = m[2];
  const factor = unit.startsWith('ms') || unit.startsWith('milli') ? 1 : unit.startsWith('h') ? 3_600_000 : unit.startsWith('m') ? 60_000 : 1000;
  return Math.round(n * factor);
}

function parseDatabaseUrl(url: string, cwd: string): { engine: Engine; location: string } {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return { engine: 'postgres', location: url };
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new ConfigError('DATABASE_URL "sqlite:" needs a file path, e.g. sqlite:./data/mediaos.db');
    return { engine: 'sqlite', location: path === ':memory:' ? path : resolve(cwd, path) };
  }
  throw new ConfigError(`DATABASE_URL must start with sqlite: or postgres:// (got "${redactUrl(url)}")`);
}

function parseReadUrls(value: string | undefined, engine: Engine): string[] {
  const urls = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const u of urls) {
    if (!u.startsWith('postgres://') && !u.startsWith('postgresql://')) {
      throw new ConfigError(`DATABASE_READ_URLS must be comma-separated postgres:// URLs (got "${redactUrl(u)}")`);
    }
  }
  if (urls.length && engine !== 'postgres') throw new ConfigError('DATABASE_READ_URLS needs a postgres:// DATABASE_URL (replicas of the primary)');
  return urls;
}

function parseOrigins(value: string | undefined): string[] {
  if (!value) return [];
  const origins = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const o of origins) {
    if (o === '*') continue;
    let ok = false;
    try {
      const u = new URL(o);
      ok = (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === o.replace(/\/$/, '');
    } catch {
      ok = false;
    }
    if (!ok) throw new ConfigError(`ALLOWED_ORIGINS must be a comma-separated list of origins like https://media.example.org (got "${o}")`);
  }
  return origins.map((o) => o.replace(/\/$/, ''));
}

const TRUST_PROXY_HELP = 'TRUST_PROXY must be true, false, a hop count (1-100) or comma-separated proxy addresses/CIDRs like 127.0.0.1,10.0.0.0/8';

/** Whose X-Forwarded-For to believe: false, true, a hop count, or the proxies' IPs/CIDRs. */
export function parseTrustProxy(value: string | undefined): boolean | number | string[] {
  const s = (value ?? '').trim();
  if (s === '' || /^(false|0|no|off)$/i.test(s)) return false;
  if (/^(true|yes|on)$/i.test(s)) return true;
  if (/^\d+$/.test(s)) {
    const hops = Number(s);
    if (hops > 100) throw new ConfigError(`${TRUST_PROXY_HELP} (got "${value}")`);
    return hops;
  }
  const entries = s
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const e of entries) {
    const [ip, bits, extra] = e.split('/');
    const family = isIP(ip);
    const maxBits = family === 6 ? 128 : 32;
    const bitsOk = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= maxBits);
    if (!family || !bitsOk || extra !== undefined) throw new ConfigError(`${TRUST_PROXY_HELP} (got "${e}")`);
  }
  return entries;
}

/** Hides a password in a connection string for messages and health output. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}

/** Pure: reads only the given env object (nothing else in the app reads process.env). */
export function loadConfig(env: Record<string, string | undefined>, cwd: string = process.cwd()): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(`invalid configuration: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  const e = parsed.data;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  const dataDir = abs(e.MEDIAOS_DATA_DIR || './data');
  const databaseUrl = e.DATABASE_URL || `sqlite:${resolve(dataDir, 'mediaos.db')}`;
  const db = parseDatabaseUrl(databaseUrl, cwd);
  const schema = e.DATABASE_SCHEMA || e.MEDIAOS_PG_SCHEMA || undefined;
  if (e.DATABASE_SCHEMA && e.MEDIAOS_PG_SCHEMA && e.DATABASE_SCHEMA !== e.MEDIAOS_PG_SCHEMA) {
    throw new ConfigError(`DATABASE_SCHEMA ("${e.DATABASE_SCHEMA}") and its older name MEDIAOS_PG_SCHEMA ("${e.MEDIAOS_PG_SCHEMA}") disagree: set one`);
  }
  if (schema && db.engine !== 'postgres') throw new ConfigError('DATABASE_SCHEMA needs a postgres:// DATABASE_URL (SQLite has no schemas)');
  return {
    engine: db.engine,
    databaseLocation: db.location,
    databaseUrl,
    dataDir,
    configDir: abs(e.MEDIAOS_CONFIG_DIR || './config'),
    host: e.HOST || '0.0.0.0',
    port: e.PORT ?? 8080,
    jwtSecret: e.JWT_SECRET,
    encryptionKey: e.ENCRYPTION_KEY,
    storagePhase: (e.MEDIAOS_STORAGE_PHASE || undefined) as StoragePhase | undefined,
    openRegistration: e.MEDIAOS_OPEN_REGISTRATION ?? false,
    refreshRotation: e.MEDIAOS_REFRESH_ROTATION ?? true,
    autoImport: e.MEDIAOS_AUTO_IMPORT ?? true,
    logLevel: e.LOG_LEVEL ?? 'info',
    rateLimitMax: e.RATE_LIMIT_MAX ?? 1000,
    rateLimitWindowMs: parseDuration(e.RATE_LIMIT_WINDOW || '1 minute', 'RATE_LIMIT_WINDOW'),
    loginRateLimitMax: e.MEDIAOS_LOGIN_RATE_LIMIT ?? 10,
    pgPoolMax: e.MEDIAOS_PG_POOL_MAX ?? 10,
    pgPrepared: e.MEDIAOS_PG_PREPARED ?? true,
    pgSynchronousCommit: (e.MEDIAOS_PG_SYNCHRONOUS_COMMIT || undefined) as PgSynchronousCommit | undefined,
    pgSchema: schema,
    readUrls: parseReadUrls(e.DATABASE_READ_URLS, db.engine),
    replicaMaxLagMs: e.MEDIAOS_REPLICA_MAX_LAG_MS ?? 5000,
    sqliteCacheMb: e.MEDIAOS_SQLITE_CACHE_MB ?? 32,
    sqliteMmapMb: e.MEDIAOS_SQLITE_MMAP_MB ?? 0,
    backupRetention: e.MEDIAOS_BACKUP_RETENTION ?? 10,
    diskWarnMb: e.MEDIAOS_DISK_WARN_MB ?? 512,
    backupIntervalHours: e.MEDIAOS_BACKUP_INTERVAL_HOURS ?? 24,
    missingSearchHours: e.MEDIAOS_MISSING_SEARCH_HOURS ?? 6,
    missingSearchLimit: e.MEDIAOS_MISSING_SEARCH_LIMIT ?? 100,
    startDelaySeconds: e.MEDIAOS_START_DELAY_SECONDS ?? 300,
    trackSeconds: e.MEDIAOS_TRACK_SECONDS ?? 60,
    rssSyncMinutes: e.MEDIAOS_RSS_SYNC_MINUTES ?? 15,
    backupKeep: e.MEDIAOS_BACKUP_KEEP ?? e.MEDIAOS_BACKUP_RETENTION ?? 10,
    jobLeaseSeconds: e.MEDIAOS_JOB_LEASE_SECONDS ?? 60,
    auditRetentionDays: e.MEDIAOS_AUDIT_RETENTION_DAYS ?? 90,
    slowQueryMs: e.MEDIAOS_SLOW_QUERY_MS ?? 500,
    metricsToken: e.MEDIAOS_METRICS_TOKEN || undefined,
    openSubtitlesUrl: (e.MEDIAOS_OPENSUBTITLES_URL ?? 'https://api.opensubtitles.com').replace(/\/+$/, ''),
    uploadMaxBytes: e.UPLOAD_MAX_BYTES ?? 5 * 1024 * 1024,
    allowNetworkFs: e.MEDIAOS_ALLOW_NETWORK_FS ?? false,
    housekeepingHours: e.MEDIAOS_HOUSEKEEPING_HOURS ?? 24,
    dbOptimizeHours: e.MEDIAOS_DB_OPTIMIZE_HOURS ?? 24,
    walCheckpointMinutes: e.MEDIAOS_WAL_CHECKPOINT_MINUTES ?? 60,
    integrityCheckHours: e.MEDIAOS_INTEGRITY_CHECK_HOURS ?? 168,
    shutdownTimeoutSeconds: e.MEDIAOS_SHUTDOWN_TIMEOUT_SECONDS ?? 25,
    workers: e.MEDIAOS_WORKERS ?? 1,
    artworkMaxBytes: e.MEDIAOS_ARTWORK_MAX_BYTES ?? 10 * 1024 * 1024,
    scanWatch: e.MEDIAOS_SCAN_WATCH ?? false,
    scanWatchDebounceMs: e.MEDIAOS_SCAN_WATCH_DEBOUNCE_MS ?? 2000,
    tmdbUrl: e.MEDIAOS_TMDB_URL || 'https://api.themoviedb.org/3',
    tmdbImageUrl: e.MEDIAOS_TMDB_IMAGE_URL || 'https://image.tmdb.org/t/p',
    musicBrainzUrl: e.MEDIAOS_MUSICBRAINZ_URL || 'https://musicbrainz.org/ws/2',
    openLibraryUrl: e.MEDIAOS_OPENLIBRARY_URL || 'https://openlibrary.org',
    metadataCacheHours: e.MEDIAOS_METADATA_CACHE_HOURS ?? 24,
    metadataTimeoutMs: e.MEDIAOS_METADATA_TIMEOUT_MS ?? 10_000,
    allowedOrigins: parseOrigins(e.ALLOWED_ORIGINS),
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    webDir: e.MEDIAOS_WEB_DIR ? abs(e.MEDIAOS_WEB_DIR) : DEFAULT_WEB_DIR,
    refreshGraceSeconds: e.MEDIAOS_REFRESH_GRACE_SECONDS ?? 10,
    sessionCacheMs: e.MEDIAOS_SESSION_CACHE_MS ?? 10_000,
  };
}

export function databaseTarget(config: Config) {
  return {
    engine: config.engine,
    location: config.databaseLocation,
    sqliteCacheMb: config.sqliteCacheMb,
    sqliteMmapMb: config.sqliteMmapMb,
    pgPoolMax: config.pgPoolMax,
    pgPrepared: config.pgPrepared,
    pgSynchronousCommit: config.pgSynchronousCommit,
    pgSchema: config.pgSchema,
    readUrls: config.readUrls,
    replicaMaxLagMs: config.replicaMaxLagMs,
    // Only the data directory is created; a missing directory anywhere else is an error.
    createDirectory: config.engine === 'sqlite' && dirname(config.databaseLocation) === config.dataDir,
    allowNetworkFs: config.allowNetworkFs,
  };
}
