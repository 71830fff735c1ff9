import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAuditSql } from '../../src/system/audit.sql.js';
import type { AuditEntry } from '../../src/system/audit.types.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import { runCli } from '../helpers/cli.js';
import { sqlEngines } from '../helpers/engines.js';
import { type MigrationEnv, migrationEnv } from '../migration/helpers.js';

const INDEXER_KEY = 'indexer-key-0123456789abcdef';
const TMDB_KEY = 'tmdb-key-0123456789abcdef01';
const NEW_PASSWORD = 'Changed#Pass-2025';

/** An entry as the API answers it (before/after are the JSON the test reads into). */
type Entry = Omit<AuditEntry, 'before' | 'after'> & { before?: any; after?: any };

for (const engine of sqlEngines()) {
  describe(`audited changes over HTTP (${engine})`, () => {
    let t: TestApp;
    let admin: string;
    let adminId: string;
    beforeAll(async () => {
      t = await createTestApp({ engine });
      const a = await registerAdmin(t.app);
      admin = a.accessToken;
      adminId = a.user.id;
    });
    afterAll(async () => t?.close());

    const call = async (method: 'POST' | 'PATCH' | 'DELETE' | 'PUT', url: string, payload?: object, token = admin) => {
      const res = await t.app.inject({ method, url, payload, headers: bearer(token) });
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
      return res.json();
    };
    const entries = async (entity: string): Promise<Entry[]> => {
      const res = await t.app.inject({ method: 'GET', url: `/api/system/audit?entity=${entity}&limit=500`, headers: bearer(admin) });
      expect(res.statusCode).toBe(200);
      return (res.json() as { items: Entry[] }).items.reverse(); // oldest first
    };

    it('users: registration, PATCH /api/users/:id and a password change, by whom; no hash anywhere', async () => {
      const member = await registerUser(t.app, admin, 'member-audit@example.test');
      await call('PATCH', `/api/users/${member.user.id}`, { role: 'admin' });
      await call('POST', '/api/auth/password', { currentPassword: ADMIN_PASSWORD, newPassword: NEW_PASSWORD });
      const rows = await entries('user');
      expect(rows.map((r) => [r.actor, r.entityId, r.action])).toEqual([
        [adminId, adminId, 'create'],
        [adminId, member.user.id, 'create'],
        [adminId, member.user.id, 'update'],
        [adminId, adminId, 'password'],
      ]);
      expect(rows[2].before.role).toBe('user');
      expect(rows[2].after.role).toBe('admin');
      expect(JSON.stringify(rows)).not.toMatch(/\$argon2|passwordHash":"[^[]/);
    });

    it('sessions: login and logout (a second logout of the same session is not recorded again)', async () => {
      const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: ADMIN_EMAIL, password: NEW_PASSWORD } });
      expect(login.statusCode).toBe(200);
      const { accessToken, refreshToken } = login.json();
      await call('POST', '/api/auth/logout', { refreshToken }, accessToken);
      await t.app.inject({ method: 'POST', url: '/api/auth/logout', payload: { refreshToken } });
      const rows = (await entries('session')).filter((r) => r.actor === adminId);
      const logins = rows.filter((r) => r.action === 'login');
      const logouts = rows.filter((r) => r.action === 'logout');
      expect(logouts).toHaveLength(1);
      expect(logins.map((r) => r.entityId)).toContain(logouts[0].entityId);
      expect(JSON.stringify(rows)).not.toContain(refreshToken);
    });

    it('settings, indexers, quality profiles and library items, secrets redacted', async () => {
      await call('POST', '/api/metadata/settings', { tmdb: { apiKey: TMDB_KEY, language: 'de' } });
      await call('POST', '/api/subtitles/automation/config', { enabled: true });
      const settings = await entries('settings');
      expect(settings.map((r) => [r.actor, r.entityId, r.action])).toEqual([
        [adminId, 'metadata', 'update'],
        [adminId, 'subtitle-automation', 'update'],
      ]);
      expect(settings[0].after.tmdb.language).toBe('de');
      expect(JSON.stringify(settings)).not.toContain(TMDB_KEY);

      const idx = (await call('POST', '/api/indexers', { name: 'Mine', type: 'torrent', url: 'http://127.0.0.1:9/api', apiKey: INDEXER_KEY })).indexer;
      await call('PATCH', `/api/indexers/${idx.id}`, { enabled: false });
      await call('DELETE', `/api/indexers/${idx.id}`);
      const indexers = await entries('indexer');
      expect(indexers.map((r) => r.action)).toEqual(['create', 'update', 'delete']);
      expect(indexers[0].after.apiKey).toBe('[redacted]');
      expect(indexers[1].before.enabled).toBe(true);
      expect(indexers[1].after.enabled).toBe(false);
      expect(JSON.stringify(indexers)).not.toContain(INDEXER_KEY);

      const profile = (
        await call('POST', '/api/settings/quality-profiles/new', {
          name: 'HD',
          cutoff: 'Bluray-1080p',
          qualities: [{ quality: 'Bluray-1080p', allowed: true, preferred: true }],
        })
      ).profile;
      await call('PATCH', `/api/settings/quality-profiles/${profile.id}`, { name: 'Full HD' });
      await call('DELETE', `/api/settings/quality-profiles/${profile.id}`);
      const quality = await entries('quality_profile');
      expect(quality.map((r) => [r.entityId, r.action])).toEqual([
        [profile.id, 'create'],
        [profile.id, 'update'],
        [profile.id, 'delete'],
      ]);
      expect([quality[1].before.name, quality[1].after.name]).toEqual(['HD', 'Full HD']);

      const item = (await call('POST', '/api/library', { kind: 'movie', title: 'Heat' })).item;
      await call('PATCH', `/api/library/${item.id}`, { title: 'Heat (1995)' });
      await call('DELETE', `/api/library/${item.id}`);
      const library = await entries('library_item');
      expect(library.map((r) => [r.actor, r.entityId, r.action])).toEqual([
        [adminId, item.id, 'create'],
        [adminId, item.id, 'update'],
        [adminId, item.id, 'delete'],
      ]);
      expect([library[1].before.title, library[1].after.title]).toEqual(['Heat', 'Heat (1995)']);
    });
  });

  describe(`mediaos user is audited as cli (${engine})`, () => {
    let m: MigrationEnv | undefined;
    afterEach(async () => {
      await m?.cleanup();
      m = undefined;
    });

    it('records add, role and passwd with actor cli', async () => {
      m = await migrationEnv(engine, { MEDIAOS_STORAGE_PHASE: 'db' });
      const cli = (args: string[], stdin?: string) => runCli(['user', ...args], m!.env, m!.dir, { stdin });
      expect((await cli(['add', 'boss@example.org', '--role', 'admin', '--password-stdin'], 'Console#Pass-2024\n')).code).toBe(0);
      expect((await cli(['add', 'second@example.org', '--role', 'admin', '--password-stdin'], 'Console#Pass-2024\n')).code).toBe(0);
      expect((await cli(['role', 'boss@example.org', 'user'])).code).toBe(0);
      expect((await cli(['passwd', 'boss@example.org', '--password-stdin'], 'Changed#Pass-2025\n')).code).toBe(0);
      const db = m.open();
      try {
        const rows = (await createAuditSql(db.kysely).list({ entity: 'user', limit: 10 })).reverse();
        expect(rows.map((r) => [r.actor, r.action])).toEqual([
          ['cli', 'create'],
          ['cli', 'create'],
          ['cli', 'update'],
          ['cli', 'password'],
        ]);
        expect(JSON.stringify(rows)).not.toContain('Pass-202');
      } finally {
        await db.close();
      }
    });
  });
}
