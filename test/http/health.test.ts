import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
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
        fileSync: { failures: 0 },
        version: expect.any(String),
      });
      if (engine === 'postgres') expect(body.db.pool).toMatchObject({ max: 5, waitMsTotal: expect.any(Number) });
      const legacy = await t.app.inject({ method: 'GET', url: '/api/system/health' });
      expect(legacy.json()).toMatchObject({ status: 'ok', version: expect.any(String) });
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
