import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import { phaseMatrix } from '../helpers/matrix.js';

const NOW = new Date('2025-03-04T05:06:07.089Z');

for (const [engine, phase] of phaseMatrix()) {
  describe(`onboarding routes (${engine}, ${phase})`, () => {
    let t: TestApp | undefined;
    afterEach(async () => {
      await t?.close();
      t = undefined;
    });
    const filesWritten = phase !== 'db';
    const file = () => join(t!.configDir, 'settings.json');

    it('GET /api/onboarding/folders answers the saved media folders to any user', async () => {
      t = await createTestApp({ engine, phase, now: () => NOW });
      const admin = await registerAdmin(t.app);
      const user = await registerUser(t.app, admin.accessToken);
      expect((await t.app.inject({ method: 'GET', url: '/api/onboarding/folders' })).statusCode).toBe(401);
      const empty = await t.app.inject({ method: 'GET', url: '/api/onboarding/folders', headers: bearer(user.accessToken) });
      expect(empty.json()).toEqual({ ok: true, folders: [], setupCompleted: false, lastScanDate: null });
      const payload = { folders: [{ path: '/srv/movies', type: 'movies' }] };
      await t.app.inject({ method: 'POST', url: '/api/onboarding/setup', payload, headers: bearer(admin.accessToken) });
      const saved = await t.app.inject({ method: 'GET', url: '/api/onboarding/folders', headers: bearer(user.accessToken) });
      expect(saved.json()).toEqual({ ok: true, folders: [{ path: '/srv/movies', type: 'movies', enabled: true }], setupCompleted: true, lastScanDate: null });
    });

    it('check-setup is public; setup and scan need admin and write settings.json like legacy', async () => {
      t = await createTestApp({ engine, phase, now: () => NOW });
      expect((await t.app.inject({ method: 'GET', url: '/api/onboarding/check-setup' })).json()).toEqual({ setupCompleted: false });
      const admin = await registerAdmin(t.app);
      const user = await registerUser(t.app, admin.accessToken);
      const folders = {
        folders: [
          { path: 'C:\\TestMedia\\Movies', type: 'movies' },
          { path: '/srv/tv', type: 'series', extra: 'dropped' },
        ],
      };
      expect((await t.app.inject({ method: 'POST', url: '/api/onboarding/setup', payload: folders })).statusCode).toBe(401);
      expect((await t.app.inject({ method: 'POST', url: '/api/onboarding/setup', payload: folders, headers: bearer(user.accessToken) })).statusCode).toBe(403);
      const setup = await t.app.inject({ method: 'POST', url: '/api/onboarding/setup', payload: folders, headers: bearer(admin.accessToken) });
      expect(setup.json()).toEqual({ success: true, message: 'Folders saved' });
      expect((await t.app.inject({ method: 'GET', url: '/api/onboarding/check-setup' })).json()).toEqual({ setupCompleted: true });
      const expected = {
        setupCompleted: true,
        mediaFolders: [
          { path: 'C:\\TestMedia\\Movies', type: 'movies', enabled: true },
          { path: '/srv/tv', type: 'series', enabled: true },
        ],
      };
      expect(await t.ctx.stores.settings.get('settings')).toEqual(expected);
      if (filesWritten) expect(readFileSync(file(), 'utf8')).toBe(JSON.stringify(expected, null, 2));
      else expect(existsSync(file())).toBe(false);

      const scan = await t.app.inject({ method: 'POST', url: '/api/onboarding/scan', headers: bearer(admin.accessToken) });
      expect(scan.json()).toEqual({ success: true, message: 'Scan started' });
      expect(await t.ctx.stores.settings.get('settings')).toEqual({ ...expected, lastScanDate: NOW.toISOString() });
      if (filesWritten) expect(JSON.parse(readFileSync(file(), 'utf8'))).toEqual({ ...expected, lastScanDate: NOW.toISOString() });

      expect((await t.app.inject({ method: 'GET', url: '/api/onboarding/status' })).statusCode).toBe(401);
      expect((await t.app.inject({ method: 'GET', url: '/api/onboarding/status', headers: bearer(user.accessToken) })).json()).toEqual({
        scanning: false,
        progress: 100,
        currentFile: null,
      });
      const bad = await t.app.inject({
        method: 'POST',
        url: '/api/onboarding/setup',
        payload: { folders: [{ path: '/x', type: 'podcasts' }] },
        headers: bearer(admin.accessToken),
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toContain('folders.0.type');
    });

    it('keeps the other keys of settings.json (the OpenSubtitles key stays plaintext in the file, sealed in the db)', async () => {
      t = await createTestApp({ engine, phase, now: () => NOW });
      const legacy = {
        mediaFolders: [{ path: '/old', type: 'movies', enabled: true }],
        setupCompleted: false,
        openSubtitlesApiKey: 'os-key-123',
        theme: 'dark',
      };
      if (phase === 'files' || phase === 'dual-read-files') writeFileSync(file(), JSON.stringify(legacy, null, 2));
      if (phase !== 'files') await t.ctx.stores.settings.put('settings', legacy);
      const admin = await registerAdmin(t.app);
      await t.app.inject({ method: 'POST', url: '/api/onboarding/scan', headers: bearer(admin.accessToken) });
      const expected = {
        setupCompleted: false,
        mediaFolders: legacy.mediaFolders,
        openSubtitlesApiKey: 'os-key-123',
        theme: 'dark',
        lastScanDate: NOW.toISOString(),
      };
      const doc = await t.ctx.stores.settings.get('settings');
      expect(doc).toEqual(expected);
      // PostgreSQL jsonb does not keep key order (content only); SQLite and the files keep the legacy order.
      if (engine === 'sqlite') expect(Object.keys(doc!)).toEqual(['setupCompleted', 'mediaFolders', 'openSubtitlesApiKey', 'theme', 'lastScanDate']);
      if (filesWritten) expect(JSON.parse(readFileSync(file(), 'utf8'))).toEqual(expected);
      if (phase !== 'files') {
        const raw = await t.ctx.db.kysely.selectFrom('settings').select('value').where('key', '=', 'settings').executeTakeFirstOrThrow();
        expect(raw.value).not.toContain('os-key-123');
      }
    });
  });
}
