import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';
import { afterEach, describe, expect, it } from 'vitest';
import { statementShape } from '../../src/system/slow-query.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import { sqlEngines } from '../helpers/engines.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef-0123456789';

function family(families: PromFamily[], name: string): PromFamily {
  const f = families.find((x) => x.name === name);
  expect(f, name).toBeDefined();
  return f!;
}

interface SlowLine {
  msg: string;
  statement: string;
  durationMs: number;
  route?: string;
  method?: string;
}
const slowLines = (t: TestApp): SlowLine[] =>
  t.logs
    .flatMap((l) => l.split('\n'))
    .filter((l) => l.includes('"slow query"'))
    .map((l) => JSON.parse(l) as SlowLine);

for (const engine of sqlEngines()) {
  describe(`GET /metrics and the slow-query log (${engine})`, () => {
    let t: TestApp;
    afterEach(async () => t?.close());

    it('answers Prometheus text that a text-format parser reads, with requests, queries, jobs, backup age and import status', async () => {
      t = await createTestApp({ engine });
      const admin = (await registerAdmin(t.app)).accessToken;
      expect((await t.app.inject({ method: 'GET', url: '/api/settings/downloaders', headers: bearer(admin) })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: '/api/library/no-such-item', headers: bearer(admin) })).statusCode).toBe(404);
      mkdirSync(join(t.dir, 'backups'), { recursive: true });
      const hourAgo = new Date(Date.now() - 3_600_000).toISOString().replace(/[:.]/g, '-');
      writeFileSync(join(t.dir, 'backups', `mediaos-backup-manual-${hourAgo}-1-1.tar.gz`), 'x');

      const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: bearer(admin) });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      const families = parsePrometheusTextFormat(res.body);

      const requests = family(families, 'mediaos_http_requests_total');
      expect(requests.type).toBe('COUNTER');
      expect(requests.metrics).toContainEqual({ value: '1', labels: { method: 'GET', route: '/api/settings/downloaders', status: '200' } });
      expect(requests.metrics).toContainEqual({ value: '1', labels: { method: 'GET', route: '/api/library/:id', status: '404' } });
      const latency = family(families, 'mediaos_http_request_duration_seconds');
      expect(latency.type).toBe('HISTOGRAM');
      expect(Object.keys(latency.metrics[0].buckets ?? {})).toContain('+Inf');
      // this parser folds a labelled histogram into one sample: the per-route series are read from the text
      expect(res.body).toContain('mediaos_http_request_duration_seconds_count{method="GET",route="/api/settings/downloaders",status="200"} 1\n');
      expect(res.body).toMatch(
        /^mediaos_http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/api\/settings\/downloaders",status="200"\} 1$/m,
      );

      expect(family(families, 'mediaos_db_query_duration_seconds').type).toBe('HISTOGRAM');
      expect(Number(/^mediaos_db_query_duration_seconds_count\{kind="select"\} (\d+)$/m.exec(res.body)?.[1])).toBeGreaterThan(0);
      const jobs = family(families, 'mediaos_jobs');
      expect(jobs.metrics.map((m) => m.labels?.status).sort()).toEqual(['completed', 'failed', 'queued', 'running']);
      const age = Number(family(families, 'mediaos_backup_age_seconds').metrics[0].value);
      expect(age).toBeGreaterThanOrEqual(3600);
      expect(age).toBeLessThan(7200);
      expect(
        family(families, 'mediaos_import_last_status')
          .metrics.map((m) => m.labels?.status)
          .sort(),
      ).toEqual(['completed', 'failed', 'running']);
      if (engine === 'postgres') {
        expect(
          family(families, 'mediaos_db_pool_connections')
            .metrics.map((m) => m.labels?.state)
            .sort(),
        ).toEqual(['idle', 'max', 'total', 'waiting']);
      } else {
        expect(family(families, 'mediaos_sqlite_file_bytes').metrics.length).toBe(2);
      }
    });

    it('is closed by default (admin only) and opens to MEDIAOS_METRICS_TOKEN when set', async () => {
      t = await createTestApp({ engine, env: { MEDIAOS_METRICS_TOKEN: METRICS_TOKEN } });
      const admin = (await registerAdmin(t.app)).accessToken;
      const user = (await registerUser(t.app, admin)).accessToken;
      const get = (headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url: '/metrics', headers });
      expect((await get()).statusCode).toBe(401);
      expect((await get(bearer(user))).statusCode).toBe(403);
      expect((await get(bearer(`${METRICS_TOKEN}x`))).statusCode).toBe(401);
      expect((await get(bearer(METRICS_TOKEN))).statusCode).toBe(200);
      expect((await get(bearer(admin))).statusCode).toBe(200);
      expect(t.logs.join('\n')).not.toContain(METRICS_TOKEN);
    });

    it('logs a statement above MEDIAOS_SLOW_QUERY_MS once, with its shape and route and no values', async () => {
      // the upkeep jobs off: every statement logged meanwhile is this request's
      const upkeepOff = {
        MEDIAOS_HOUSEKEEPING_HOURS: '0',
        MEDIAOS_DB_OPTIMIZE_HOURS: '0',
        MEDIAOS_WAL_CHECKPOINT_MINUTES: '0',
        MEDIAOS_INTEGRITY_CHECK_HOURS: '0',
      };
      t = await createTestApp({ engine, env: { MEDIAOS_SLOW_QUERY_MS: '0', ...upkeepOff } });
      const admin = (await registerAdmin(t.app)).accessToken;
      const before = slowLines(t).length;
      const res = await t.app.inject({ method: 'GET', url: '/api/library/some-id-4711', headers: bearer(admin) });
      expect(res.statusCode).toBe(404);
      const lines = slowLines(t).slice(before);
      const forItem = lines.filter((l) => /from "library_items"/.test(l.statement));
      expect(forItem).toHaveLength(1);
      expect(forItem[0]).toMatchObject({ route: '/api/library/:id', method: 'GET' });
      expect(forItem[0].durationMs).toBeGreaterThanOrEqual(0);
      expect(forItem[0].statement).not.toContain('some-id-4711');
      // every statement of that request carries its route
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.every((l) => l.route === '/api/library/:id')).toBe(true);
    });

    it('keeps quiet below the threshold', async () => {
      t = await createTestApp({ engine, env: { MEDIAOS_SLOW_QUERY_MS: '3600000' } });
      const admin = (await registerAdmin(t.app)).accessToken;
      await t.app.inject({ method: 'GET', url: '/api/library/some-id', headers: bearer(admin) });
      expect(slowLines(t)).toEqual([]);
    });
  });
}

describe('statementShape', () => {
  it('drops literals and collapses whitespace', () => {
    expect(statementShape(`select *\n  from "x" where a = 'secret''s' and b = 42 and c = $1`)).toBe('select * from "x" where a = ? and b = ? and c = $?');
  });
});
