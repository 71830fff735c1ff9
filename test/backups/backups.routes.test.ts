import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../../src/db/migrations/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import { sqlEngines } from '../helpers/engines.js';

const latest = migrations[migrations.length - 1].version;

for (const engine of sqlEngines()) {
  describe(`/api/system/backups on ${engine}`, () => {
    let t: TestApp;
    afterEach(async () => t?.close());

    it('answers admins only: 401 without a token, 403 for a user, list / make / download for an admin', async () => {
      t = await createTestApp({ engine });
      const admin = await registerAdmin(t.app);
      const user = await registerUser(t.app, admin.accessToken);
      for (const [method, url] of [
        ['GET', '/api/system/backups'],
        ['POST', '/api/system/backups'],
        ['GET', '/api/system/backups/mediaos-backup-manual-2025-01-02T03-04-05-678Z-1-1.tar.gz'],
      ] as const) {
        expect((await t.app.inject({ method, url })).statusCode).toBe(401);
        expect((await t.app.inject({ method, url, headers: bearer(user.accessToken) })).statusCode).toBe(403);
      }

      const made = await t.app.inject({ method: 'POST', url: '/api/system/backups', headers: bearer(admin.accessToken) });
      expect(made.statusCode).toBe(201);
      const backup = made.json().backup as { name: string; kind: string; size: number; schemaVersion: number; engine: string; createdAt: string };
      expect(backup).toMatchObject({ kind: 'manual', format: 'archive', engine, schemaVersion: latest });
      expect(backup.name).toMatch(/^mediaos-backup-manual-.*\.tar\.gz$/);

      const list = await t.app.inject({ method: 'GET', url: '/api/system/backups', headers: bearer(admin.accessToken) });
      expect(list.statusCode).toBe(200);
      expect(list.json().backups).toEqual([backup]);

      const down = await t.app.inject({ method: 'GET', url: `/api/system/backups/${backup.name}`, headers: bearer(admin.accessToken) });
      expect(down.statusCode).toBe(200);
      expect(down.headers['content-type']).toBe('application/gzip');
      expect(down.headers['content-disposition']).toBe(`attachment; filename="${backup.name}"`);
      expect(down.rawPayload.equals(readFileSync(join(t.dir, 'backups', backup.name)))).toBe(true);
      // no secret in any answer or log line
      expect(list.body).not.toMatch(/test-encryption-key|jwt/i);
    });

    it('serves no path outside the backups folder and no file that is not a backup', async () => {
      t = await createTestApp({ engine });
      const admin = await registerAdmin(t.app);
      mkdirSync(join(t.dir, 'backups'), { recursive: true });
      writeFileSync(join(t.dir, 'backups', 'notes.txt'), 'not a backup');
      writeFileSync(join(t.dir, 'secrets.json'), '{}');
      for (const name of [
        '..%2Fsecrets.json',
        '%2E%2E%2Fsecrets.json',
        'notes.txt',
        '..',
        'mediaos-backup-manual-..%2F..%2Fx.tar.gz',
        'mediaos-backup-manual-2025-01-02T03-04-05-678Z-1-1.tar.gz',
      ]) {
        const res = await t.app.inject({ method: 'GET', url: `/api/system/backups/${name}`, headers: bearer(admin.accessToken) });
        expect([404], name).toContain(res.statusCode);
        expect(res.body).not.toContain('not a backup');
      }
    });
  });
}
