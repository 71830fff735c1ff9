import { statSync } from 'node:fs';
import type { LogEvent } from 'kysely';
import { Counter, Gauge, Registry } from 'prom-client';
import { listBackups } from '../backups/backup-catalog.js';
import type { Database } from '../db/connect.js';
import { lastIntegrityCheck } from '../db/maintenance.js';
import type { Logger } from '../storage/phased-store.js';
import { SeriesHistogram } from './metric-series.js';
import { currentRequestScope } from './request-scope.js';
import { slowQueryLogger } from './slow-query.js';

export interface MetricsDeps {
  db: Database;
  dataDir: string;
  slowQueryMs: number;
  log: Pick<Logger, 'warn'>;
  /** Jobs by status (the queue depth and its failures). */
  jobCounts(): Promise<Record<'queued' | 'running' | 'completed' | 'failed', number>>;
  /** The newest import run, if any. */
  latestImport(): Promise<{ status: string; startedAt: string; finishedAt: string | null } | undefined>;
  now: () => Date;
}

const IMPORT_STATUSES = ['running', 'completed', 'failed'] as const;
const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const QUERY_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5];

/** `select`, `insert`, ... of a statement (a small, fixed label set). */
export function statementKind(sqlText: string): string {
  const word = /^\s*(?:with\b[\s\S]*?\)\s*)?([a-z]+)/i.exec(sqlText)?.[1]?.toLowerCase() ?? 'other';
  return ['select', 'insert', 'update', 'delete', 'pragma', 'begin', 'commit', 'rollback', 'savepoint', 'release'].includes(word) ? word : 'other';
}

/** statementKind, remembered per SQL text (the texts are the code's query shapes; the map is emptied at MAX_KINDS_CACHED). */
const kindsBySql = new Map<string, string>();
const MAX_KINDS_CACHED = 1_000;
function statementKindCached(sqlText: string): string {
  let kind = kindsBySql.get(sqlText);
  if (kind === undefined) {
    kind = statementKind(sqlText);
    if (kindsBySql.size >= MAX_KINDS_CACHED) kindsBySql.clear();
    kindsBySql.set(sqlText, kind);
  }
  return kind;
}

/**
 * The server's Prometheus metrics, on a registry of its own (one per app, so tests can build
 * several). Query latency and the slow-query log come from the database's query observer; the
 * gauges (pool, jobs, backup age, import) are read when /metrics is scraped.
 */
export function createMetrics(deps: MetricsDeps) {
  const registry = new Registry();
  const registers = [registry];
  // Updated on every request and statement: series found by a key string, read at scrape time (metric-series.ts).
  const httpLatency = new SeriesHistogram({
    name: 'mediaos_http_request_duration_seconds',
    help: 'HTTP request latency, by method, route pattern and status',
    buckets: LATENCY_BUCKETS,
    registers,
    counter: { name: 'mediaos_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status' },
  });
  const queryLatency = new SeriesHistogram({
    name: 'mediaos_db_query_duration_seconds',
    help: 'Database statement latency, by statement kind',
    buckets: QUERY_BUCKETS,
    registers,
  });
  const queryErrors = new Counter({
    name: 'mediaos_db_query_errors_total',
    help: 'Database statements that failed, by statement kind',
    labelNames: ['kind'],
    registers,
  });
  const slowQueries = new Counter({
    name: 'mediaos_db_slow_queries_total',
    help: 'Statements at or above MEDIAOS_SLOW_QUERY_MS, by route pattern',
    labelNames: ['route'],
    registers,
  });

  const { db } = deps;
  new Gauge({
    name: 'mediaos_db_pool_connections',
    help: 'PostgreSQL pool connections by state (total, idle, waiting clients, max); absent on SQLite',
    labelNames: ['state'],
    registers,
    collect() {
      const p = db.poolStats();
      if (!p) return;
      this.set({ state: 'total' }, p.size);
      this.set({ state: 'idle' }, p.idle);
      this.set({ state: 'waiting' }, p.waiting);
      this.set({ state: 'max' }, p.max);
    },
  });
  new Gauge({
    name: 'mediaos_db_pool_wait_seconds_max',
    help: 'Longest wait for a PostgreSQL pool connection since start; absent on SQLite',
    registers,
    collect() {
      const p = db.poolStats();
      if (p) this.set(p.waitMsMax / 1000);
    },
  });
  new Gauge({
    name: 'mediaos_sqlite_file_bytes',
    help: 'Size of the SQLite database file and its WAL; absent on PostgreSQL',
    labelNames: ['file'],
    registers,
    collect() {
      if (db.engine !== 'sqlite' || !db.sqlite || db.target.location === ':memory:') return;
      for (const [file, path] of [
        ['db', db.target.location],
        ['wal', `${db.target.location}-wal`],
      ] as const) {
        try {
          this.set({ file }, statSync(path).size);
        } catch {
          this.set({ file }, 0);
        }
      }
    },
  });
  // Every figure here is this process's own: under `serve --workers N` each worker answers for
  // itself, and this line tells which one answered (a scraper sums over the pids).
  new Gauge({
    name: 'mediaos_process_info',
    help: 'The server process that answered this scrape (its pid); every other figure is its own',
    labelNames: ['pid'],
    registers,
    collect() {
      this.set({ pid: String(process.pid) }, 1);
    },
  });
  new Gauge({
    name: 'mediaos_jobs',
    help: 'Jobs in the queue table by status (queued = depth; failed = jobs that used up their attempts)',
    labelNames: ['status'],
    registers,
    async collect() {
      const counts = await deps.jobCounts();
      for (const [status, n] of Object.entries(counts)) this.set({ status }, n);
    },
  });
  new Gauge({
    name: 'mediaos_backup_age_seconds',
    help: 'Age of the newest file in <data>/backups (-1 when there is none)',
    registers,
    collect() {
      const newest = listBackups(deps.dataDir)[0];
      this.set(newest ? Math.max(0, (deps.now().getTime() - Date.parse(newest.createdAt)) / 1000) : -1);
    },
  });
  new Gauge({
    name: 'mediaos_db_integrity_ok',
    help: 'Result of the last integrity check (1 ok, 0 problems found, -1 none ran yet)',
    registers,
    async collect() {
      const last = await lastIntegrityCheck(db);
      this.set(last ? Number(last.ok) : -1);
    },
  });
  new Gauge({
    name: 'mediaos_db_integrity_checked_timestamp_seconds',
    help: 'Unix time of the last integrity check (0 when none ran yet)',
    registers,
    async collect() {
      const last = await lastIntegrityCheck(db);
      this.set(last ? Date.parse(last.checkedAt) / 1000 : 0);
    },
  });
  new Gauge({
    name: 'mediaos_import_last_status',
    help: 'Status of the newest legacy import run (1 for its status; all 0 when none ran)',
    labelNames: ['status'],
    registers,
    async collect() {
      const run = await deps.latestImport();
      for (const s of IMPORT_STATUSES) this.set({ status: s }, run?.status === s ? 1 : 0);
    },
  });

  const logSlow = slowQueryLogger(deps.log, deps.slowQueryMs);
  const observe = (e: LogEvent) => {
    const kind = statementKindCached(e.query.sql);
    queryLatency.at(kind, () => ({ kind })).observe(e.queryDurationMillis / 1000);
    if (e.level === 'error') queryErrors.inc({ kind });
    if (e.queryDurationMillis >= deps.slowQueryMs) {
      slowQueries.inc({ route: currentRequestScope()?.route ?? 'none' });
      logSlow(e);
    }
  };
  const unsubscribe = db.observeQueries(observe);

  return {
    registry,
    /** Called once per answered request (route = pattern, or `unmatched` for a 404 without a route). */
    observeRequest(method: string, route: string, status: number, seconds: number): void {
      httpLatency.at(`${method} ${status} ${route}`, () => ({ method, route, status: String(status) })).observe(seconds);
    },
    /** The text exposition (Prometheus format 0.0.4). */
    async render(): Promise<{ contentType: string; body: string }> {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    stop: unsubscribe,
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
