import type { LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin } from '../helpers/auth.js';
import { sqlEngines } from '../helpers/engines.js';

for (const engine of sqlEngines()) {
  describe(`GET /api/health on ${engine}`, () => {
    let t: TestApp;
    afterEach(async () => t?.close());

    it('reports engine, schema version, journal mode and phase without auth', async () => {
      t = await createTestApp({ engine, phase: 'dual-read-db' });
      const res = await t.app.inject({ method: 'GET', url: '/api/health' });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({
        ok: true,
        db: { engine, schemaVersion: expect.any(Number), journalMode: 'wal', serverVersion: expect.any(String) },
        storagePhase: 'dual-read-db',
        fileSync: { failures: 0, pending: [] },
        version: expect.any(String),
        problems: [],
        disk: { data: { freeMb: expect.any(Number), low: false }, config: { freeMb: expect.any(Number), low: false } },
      });
      expect(body.db.writes).toEqual({ failures: 0, ...(body.db.writes.lastSuccessAt ? { lastSuccessAt: expect.any(String) } : {}) });
      if (engine === 'postgres') expect(body.db.pool).toMatchObject({ max: 5, waitMsTotal: expect.any(Number) });
      const legacy = await t.app.inject({ method: 'GET', url: '/api/system/health' });
      expect(legacy.json()).toMatchObject({ status: 'ok', version: expect.any(String) });
    });

    it('ok:false naming the directory when free space is below MEDIAOS_DISK_WARN_MB (config dir only where files are written)', async () => {
      t = await createTestApp({ engine, phase: 'files', env: { MEDIAOS_DISK_WARN_MB: '1000000000' } });
      const body = (await t.app.inject({ method: 'GET', url: '/api/health' })).json();
      expect(body.ok).toBe(false);
      expect(body.problems).toEqual([
        expect.stringMatching(/^data dir: \d+ MB free, below MEDIAOS_DISK_WARN_MB=1000000000$/),
        expect.stringMatching(/^config dir: \d+ MB free, below MEDIAOS_DISK_WARN_MB=1000000000$/),
      ]);
      expect(JSON.stringify(body)).not.toContain(t.dir); // no paths in an unauthenticated answer
      await t.close();
      t = await createTestApp({ engine, phase: 'db', env: { MEDIAOS_DISK_WARN_MB: '1000000000' } });
      const db = (await t.app.inject({ method: 'GET', url: '/api/health' })).json();
      expect(Object.keys(db.disk)).toEqual(['data']);
      expect(db.problems).toHaveLength(1);
    });

    it('answers 503 ok:false when the database cannot answer', async () => {
      t = await createTestApp({ engine });
      await t.ctx.db.close();
      const res = await t.app.inject({ method: 'GET', url: '/api/health' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ ok: false, error: 'database_unavailable', db: { engine } });
    });
  });
}

describe('GET /api/health on a full SQLite database', () => {
  let t: TestApp;
  afterEach(async () => t?.close());

  it('reports failing database writes with time and reason until a write succeeds again', async () => {
    t = await createTestApp({ engine: 'sqlite' });
    const admin = bearer((await registerAdmin(t.app)).accessToken);
    const raw = t.ctx.db.sqlite!;
    const pages = Number(raw.pragma('page_count', { simple: true }));
    raw.pragma(`max_page_count = ${pages}`); // the database file may not grow: a full disk for SQLite
    let failed: LightMyRequestResponse | undefined;
    for (let i = 0; i < 200 && !failed; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/library',
        headers: admin,
        payload: { kind: 'movie', title: `Title ${i} ${'x'.repeat(1500)}` },
      });
      if (res.statusCode !== 200) failed = res;
    }
    expect(failed?.statusCode).toBe(500);
    const body = (await t.app.inject({ method: 'GET', url: '/api/health' })).json();
    expect(body.ok).toBe(false);
    expect(body.problems).toEqual(['database writes are failing (SQLITE_FULL: database or disk is full)']);
    expect(body.db.writes).toMatchObject({ failures: 1, lastFailure: { at: expect.any(String), reason: 'SQLITE_FULL: database or disk is full' } });

    raw.pragma('max_page_count = 1073741823');
    expect((await t.app.inject({ method: 'POST', url: '/api/library', headers: admin, payload: { kind: 'movie', title: 'Heat' } })).statusCode).toBe(200);
    const again = (await t.app.inject({ method: 'GET', url: '/api/health' })).json();
    expect(again).toMatchObject({ ok: true, problems: [], db: { writes: { failures: 1, lastSuccessAt: expect.any(String) } } });
  });
});
