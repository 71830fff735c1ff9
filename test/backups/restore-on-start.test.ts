import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { type RunningServer, startServer } from '../../src/server.js';
import type { AuditEntry } from '../../src/system/audit.types.js';
import { targetEnv } from '../db/transfer/transfer-fixtures.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import { createTestTarget, sqlEngines } from '../helpers/engines.js';
import { flipByte } from './backup-fixtures.js';

for (const engine of sqlEngines()) {
  describe(`restore at the next start: the routes (${engine})`, () => {
    let t: TestApp;
    afterEach(async () => t?.close());

    it('admins only; the preview says what it will do and changes nothing; confirmed, it is listed and audited; DELETE withdraws it', async () => {
      t = await createTestApp({ engine });
      const admin = await registerAdmin(t.app);
      const user = await registerUser(t.app, admin.accessToken);
      const h = bearer(admin.accessToken);
      const made = await t.app.inject({ method: 'POST', url: '/api/system/backups', headers: h });
      const name = made.json().backup.name as string;
      for (const [method, url] of [
        ['POST', `/api/system/backups/${name}/restore`],
        ['DELETE', '/api/system/backups/restore'],
      ] as const) {
        expect((await t.app.inject({ method, url, payload: {} })).statusCode).toBe(401);
        expect((await t.app.inject({ method, url, payload: {}, headers: bearer(user.accessToken) })).statusCode).toBe(403);
      }

      const preview = await t.app.inject({ method: 'POST', url: `/api/system/backups/${name}/restore`, payload: {}, headers: h });
      expect(preview.statusCode).toBe(200);
      expect(preview.json()).toMatchObject({ ok: true, preview: true });
      expect(preview.json().summary).toMatch(
        new RegExp(`^will restore ${name} at the next start of MediaOS: .*keep the current database as a pre-restore backup`),
      );
      expect(existsSync(join(t.dir, 'restore-on-start.json'))).toBe(false);
      expect((await t.app.inject({ method: 'GET', url: '/api/system/backups', headers: h })).json()).toMatchObject({ restoreOnStart: null, lastRestore: null });

      const asked = await t.app.inject({ method: 'POST', url: `/api/system/backups/${name}/restore`, payload: { confirm: true }, headers: h });
      expect(asked.statusCode).toBe(202);
      expect(asked.json()).toMatchObject({ ok: true, preview: false, restoreOnStart: { name, requestedBy: admin.user.id } });
      const listed = (await t.app.inject({ method: 'GET', url: '/api/system/backups', headers: h })).json();
      expect(listed.restoreOnStart).toMatchObject({ name, requestedBy: admin.user.id });

      const withdrawn = await t.app.inject({ method: 'DELETE', url: '/api/system/backups/restore', headers: h });
      expect(withdrawn.json()).toMatchObject({ ok: true, cancelled: true });
      expect((await t.app.inject({ method: 'GET', url: '/api/system/backups', headers: h })).json().restoreOnStart).toBeNull();
      const again = await t.app.inject({ method: 'DELETE', url: '/api/system/backups/restore', headers: h });
      expect(again.json()).toMatchObject({ ok: true, cancelled: false });

      const audit = await t.app.inject({ method: 'GET', url: '/api/system/audit?entity=backup', headers: h });
      const rows = (audit.json().items as AuditEntry[]).reverse();
      expect(rows.map((r) => [r.actor, r.entityId, r.action])).toEqual([
        [admin.user.id, name, 'restore-request'],
        [admin.user.id, name, 'restore-cancel'],
      ]);
    });

    it('refuses what it cannot restore, naming it, and writes nothing', async () => {
      t = await createTestApp({ engine });
      const admin = await registerAdmin(t.app);
      const h = bearer(admin.accessToken);
      const unknown = await t.app.inject({
        method: 'POST',
        url: '/api/system/backups/mediaos-backup-manual-2025-01-02T03-04-05-678Z-1-1.tar.gz/restore',
        payload: { confirm: true },
        headers: h,
      });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().error).toBe('mediaos-backup-manual-2025-01-02T03-04-05-678Z-1-1.tar.gz: no such backup in the backups folder');
      const traversal = await t.app.inject({ method: 'POST', url: '/api/system/backups/..%2Fsecrets.json/restore', payload: { confirm: true }, headers: h });
      expect(traversal.statusCode).toBe(404);
      const made = await t.app.inject({ method: 'POST', url: '/api/system/backups', headers: h });
      const bad = await t.app.inject({
        method: 'POST',
        url: `/api/system/backups/${made.json().backup.name}/restore`,
        payload: { confirm: 'yes' },
        headers: h,
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toMatch(/^confirm: /);
      expect(existsSync(join(t.dir, 'restore-on-start.json'))).toBe(false);
    });
  });

  describe(`restore at the next start: serve carries it out (${engine})`, () => {
    let server: RunningServer | undefined;
    let drop: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
      await drop?.();
    });

    it('the next start restores the backup (a pre-restore backup first); a damaged archive changes nothing', async () => {
      const t = await createTestTarget(engine);
      drop = t.drop;
      const config = loadConfig(
        { ...targetEnv(t.target, t.dir), HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', MEDIAOS_BACKUP_INTERVAL_HOURS: '0' },
        t.dir,
      );
      const lines: string[] = [];
      const start = async () => {
        server = await startServer(config, { print: (l) => lines.push(l) });
        return server;
      };
      const login = async (s: RunningServer) => {
        const r = await s.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
        expect(r.statusCode, r.body).toBe(200);
        return bearer(r.json().accessToken);
      };
      const titles = async (s: RunningServer, h: Record<string, string>) =>
        ((await s.app.inject({ method: 'GET', url: '/api/library?limit=50', headers: h })).json().items as { title: string }[]).map((i) => i.title).sort();

      let s = await start();
      const admin = await registerAdmin(s.app);
      let h = bearer(admin.accessToken);
      await s.app.inject({ method: 'POST', url: '/api/library', payload: { kind: 'movie', title: 'Before the backup' }, headers: h });
      const name = (await s.app.inject({ method: 'POST', url: '/api/system/backups', headers: h })).json().backup.name as string;
      await s.app.inject({ method: 'POST', url: '/api/library', payload: { kind: 'movie', title: 'After the backup' }, headers: h });
      expect(await titles(s, h)).toEqual(['After the backup', 'Before the backup']);
      const asked = await s.app.inject({ method: 'POST', url: `/api/system/backups/${name}/restore`, payload: { confirm: true }, headers: h });
      expect(asked.statusCode).toBe(202);
      await s.close();
      server = undefined;

      s = await start();
      expect(lines).toContain(`restore on start: restoring ${name} (asked for at ${asked.json().restoreOnStart.requestedAt})`);
      h = await login(s);
      expect(await titles(s, h)).toEqual(['Before the backup']);
      const listed = (await s.app.inject({ method: 'GET', url: '/api/system/backups', headers: h })).json();
      expect(listed.restoreOnStart).toBeNull();
      expect(listed.lastRestore).toMatchObject({ name, ok: true });
      expect(listed.lastRestore.preRestoreBackup).toMatch(/^mediaos-backup-pre-restore-.*\.tar\.gz$/);
      expect(listed.backups.map((b: { name: string }) => b.name)).toContain(listed.lastRestore.preRestoreBackup);
      expect(existsSync(join(t.dir, 'restore-on-start.json'))).toBe(false);

      // ask again, then damage the archive: the next start says why and keeps the database as it is
      await s.app.inject({ method: 'POST', url: '/api/library', payload: { kind: 'movie', title: 'Kept' }, headers: h });
      expect((await s.app.inject({ method: 'POST', url: `/api/system/backups/${name}/restore`, payload: { confirm: true }, headers: h })).statusCode).toBe(202);
      await s.close();
      server = undefined;
      const file = join(t.dir, 'backups', name);
      const bytes = readFileSync(file);
      writeFileSync(file, flipByte(bytes, Math.floor(bytes.length / 2)));

      s = await start();
      h = await login(s);
      expect(await titles(s, h)).toEqual(['Before the backup', 'Kept']);
      const after = (await s.app.inject({ method: 'GET', url: '/api/system/backups', headers: h })).json();
      expect(after.lastRestore).toMatchObject({ name, ok: false });
      expect(after.lastRestore.message).toMatch(new RegExp(`^restore on start of ${name} failed: .*nothing was changed$`));
      expect(lines.at(-2)).toBe(after.lastRestore.message);
      expect(after.restoreOnStart).toBeNull();
    }, 120_000);
  });
}
