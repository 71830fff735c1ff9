import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterEach, describe, expect, it } from 'vitest';
import { intervalJobId } from '../../src/automation/automation.schedule.js';
import { loadConfig } from '../../src/config.js';
import { runIntegrityCheck } from '../../src/db/maintenance.js';
import { databaseBytes } from '../../src/db/space-needs.js';
import { housekeepingCheckMs, housekeepingIntervals, scheduleHousekeeping } from '../../src/housekeeping/housekeeping.schedule.js';
import { runCheckpoint, runHousekeeping, runIntegrity, runOptimize } from '../../src/housekeeping/housekeeping.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin } from '../helpers/auth.js';
import { sqlEngines } from '../helpers/engines.js';

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('the housekeeping schedule', () => {
  it('has an interval per job from the configuration (0 turns one off) and is looked at every 10 minutes at most', () => {
    const config = loadConfig({});
    expect(housekeepingIntervals(config)).toEqual([
      ['housekeeping', 24 * 3_600_000],
      ['db-optimize', 24 * 3_600_000],
      ['wal-checkpoint', 60 * 60_000],
      ['integrity-check', 168 * 3_600_000],
    ]);
    expect(housekeepingCheckMs(config)).toBe(10 * 60_000);
    const fast = loadConfig({ MEDIAOS_WAL_CHECKPOINT_MINUTES: '1', MEDIAOS_INTEGRITY_CHECK_HOURS: '0' });
    expect(housekeepingCheckMs(fast)).toBe(60_000);
    expect(housekeepingIntervals(fast)[3]).toEqual(['integrity-check', 0]);
    expect(() => loadConfig({ MEDIAOS_INTEGRITY_CHECK_HOURS: '-1' })).toThrow(/MEDIAOS_INTEGRITY_CHECK_HOURS must be an integer from 0 to 8760/);
    expect(() => loadConfig({ MEDIAOS_SHUTDOWN_TIMEOUT_SECONDS: '0' })).toThrow(/MEDIAOS_SHUTDOWN_TIMEOUT_SECONDS must be an integer from 1 to 3600/);
  });
});

for (const engine of sqlEngines()) {
  describe(`housekeeping on ${engine}`, () => {
    let t: TestApp;
    afterEach(async () => t?.close());

    it('queues each upkeep job once per interval at start; they purge, optimize, checkpoint and check integrity', async () => {
      t = await createTestApp({ engine, env: { MEDIAOS_START_DELAY_SECONDS: '0' } });
      const ids = housekeepingIntervals(t.ctx.config).map(([type, ms]) => intervalJobId(type, t.ctx.now(), ms));
      await until(async () => {
        const jobs = await Promise.all(ids.map((id) => t.ctx.stores.jobs.get(id)));
        return jobs.every((j) => j?.status === 'completed');
      }, 'the four upkeep jobs');
      const [purge, optimize, checkpoint, integrity] = await Promise.all(ids.map(async (id) => (await t.ctx.stores.jobs.get(id))?.result));
      expect(purge).toMatchObject({ expiredSessions: 0, finishedJobs: 0 });
      expect(optimize).toEqual({ optimized: engine === 'sqlite' });
      if (engine === 'sqlite') expect(checkpoint).toMatchObject({ checkpoint: { complete: true } });
      else expect(checkpoint).toEqual({ checkpoint: null });
      expect(integrity).toMatchObject({ ok: true, engine, method: engine === 'sqlite' ? 'integrity_check' : 'amcheck', detail: [] });
      // a second schedule in the same intervals (a restart, another process) queues nothing
      expect(await scheduleHousekeeping(t.ctx)).toEqual([]);

      const sessions = t.ctx.stores.sessions;
      const base = { userId: 'u1', tokenHash: 'h', createdAt: '2020-01-01T00:00:00.000Z' };
      await sessions.create({ ...base, id: 'old', expiresAt: '2020-01-02T00:00:00.000Z' });
      await sessions.create({ ...base, id: 'live', expiresAt: '2999-01-01T00:00:00.000Z' });
      const report = await runHousekeeping(t.ctx);
      expect(report.expiredSessions).toBe(1);
      expect(await sessions.get('old')).toBeUndefined();
      expect(await sessions.get('live')).toBeDefined();
      expect(await runOptimize(t.ctx)).toEqual({ optimized: engine === 'sqlite' });
      expect((await runCheckpoint(t.ctx)).checkpoint === null).toBe(engine === 'postgres');
      expect(await databaseBytes(t.ctx.db)).toBeGreaterThan(0);
    });

    it('holds the first integrity check after start for MEDIAOS_START_DELAY_SECONDS while the other upkeep jobs run', async () => {
      t = await createTestApp({ engine, env: { MEDIAOS_START_DELAY_SECONDS: '300' } });
      const ids = housekeepingIntervals(t.ctx.config).map(([type, ms]) => intervalJobId(type, t.ctx.now(), ms));
      const integrityId = ids.pop()!;
      await until(async () => (await Promise.all(ids.map((id) => t.ctx.stores.jobs.get(id)))).every((j) => j?.status === 'completed'), 'the other upkeep jobs');
      const held = await t.ctx.stores.jobs.get(integrityId);
      expect(held).toMatchObject({ type: 'integrity-check', status: 'queued', attempts: 0 });
      const waitMs = Date.parse(held!.runAt) - Date.parse(held!.createdAt);
      expect(waitMs).toBeGreaterThan(290_000);
      expect(waitMs).toBeLessThanOrEqual(300_000);
      expect((await t.app.inject({ method: 'GET', url: '/api/health' })).json().integrity).toBeNull();
      // a later schedule (every few minutes) neither queues it again nor moves it
      expect(await scheduleHousekeeping(t.ctx, { startedAt: t.ctx.now().getTime() })).toEqual([]);
      expect((await t.ctx.stores.jobs.get(integrityId))?.runAt).toBe(held!.runAt);
    });

    it('shows the last integrity check in /api/health and /metrics; PostgreSQL without amcheck counts every table', async () => {
      t = await createTestApp({ engine, env: { MEDIAOS_INTEGRITY_CHECK_HOURS: '0' } });
      let health = (await t.app.inject({ method: 'GET', url: '/api/health' })).json();
      expect(health.integrity).toBeNull();
      const admin = (await registerAdmin(t.app)).accessToken;
      const gauge = async (name: string) => {
        const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: bearer(admin) });
        return Number(parsePrometheusTextFormat(res.body).find((f) => f.name === name)?.metrics[0].value);
      };
      expect(await gauge('mediaos_db_integrity_ok')).toBe(-1);
      expect(await gauge('mediaos_db_integrity_checked_timestamp_seconds')).toBe(0);

      const result = await runIntegrity(t.ctx);
      health = (await t.app.inject({ method: 'GET', url: '/api/health' })).json();
      expect(health.ok).toBe(true);
      expect(health.integrity).toEqual(result);
      expect(await gauge('mediaos_db_integrity_ok')).toBe(1);
      expect(await gauge('mediaos_db_integrity_checked_timestamp_seconds')).toBe(Date.parse(result.checkedAt) / 1000);
      if (engine === 'postgres') {
        expect(result).toMatchObject({ method: 'amcheck', ok: true });
        expect(result.checked).toBeGreaterThan(10);
        const counted = await runIntegrityCheck(t.ctx.db, { amcheck: false });
        expect(counted).toMatchObject({ ok: true, method: 'count', detail: [] });
        expect(counted.checked).toBeGreaterThan(10);
      }
    });
  });
}
