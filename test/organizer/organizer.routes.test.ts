import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultNamingConfig, defaultOrganizerConfig } from '../../src/organizer/organizer.types.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import { phaseMatrix } from '../helpers/matrix.js';

for (const [engine, phase] of phaseMatrix()) {
  describe(`organizer config routes (${engine}, ${phase})`, () => {
    let t: TestApp | undefined;
    afterEach(async () => {
      await t?.close();
      t = undefined;
    });
    const filesWritten = phase !== 'db';
    const file = () => join(t!.configDir, 'organizer.json');

    it('serves defaults, merges partial saves (destinations and namingConfig one level deep)', async () => {
      t = await createTestApp({ engine, phase });
      const admin = await registerAdmin(t.app);
      const user = await registerUser(t.app, admin.accessToken);
      expect((await t.app.inject({ method: 'GET', url: '/api/organizer/config' })).statusCode).toBe(401);
      const first = await t.app.inject({ method: 'GET', url: '/api/organizer/config', headers: bearer(user.accessToken) });
      expect(first.json()).toEqual({ ok: true, config: defaultOrganizerConfig(), defaultNamingConfig: defaultNamingConfig() });
      expect(existsSync(file())).toBe(false);

      expect(
        (await t.app.inject({ method: 'POST', url: '/api/organizer/config', payload: { defaultOperation: 'copy' }, headers: bearer(user.accessToken) }))
          .statusCode,
      ).toBe(403);
      const a = await t.app.inject({
        method: 'POST',
        url: '/api/organizer/config',
        payload: { destinations: { movies: '/media/movies' }, defaultOperation: 'copy', ignored: 1 },
        headers: bearer(admin.accessToken),
      });
      const expectedA = { ...defaultOrganizerConfig(), destinations: { movies: '/media/movies' }, defaultOperation: 'copy' };
      expect(a.json()).toEqual({ ok: true, config: expectedA });
      if (filesWritten) expect(readFileSync(file(), 'utf8')).toBe(JSON.stringify(expectedA, null, 2));

      const b = await t.app.inject({
        method: 'POST',
        url: '/api/organizer/config',
        payload: {
          destinations: { series: '/media/tv' },
          namingConfig: { movies: { folderFormat: '{Movie.Title}', fileFormat: '{Movie.Title}{Extension}' } },
          cleanupEmptyFolders: false,
        },
        headers: bearer(admin.accessToken),
      });
      const expectedB = {
        ...expectedA,
        destinations: { movies: '/media/movies', series: '/media/tv' },
        cleanupEmptyFolders: false,
        namingConfig: { ...defaultNamingConfig(), movies: { folderFormat: '{Movie.Title}', fileFormat: '{Movie.Title}{Extension}' } },
      };
      expect(b.json()).toEqual({ ok: true, config: expectedB });
      expect((await t.app.inject({ method: 'GET', url: '/api/organizer/config', headers: bearer(user.accessToken) })).json().config).toEqual(expectedB);
      if (filesWritten) expect(JSON.parse(readFileSync(file(), 'utf8'))).toEqual(expectedB);

      const bad = await t.app.inject({
        method: 'POST',
        url: '/api/organizer/config',
        payload: { defaultOperation: 'teleport' },
        headers: bearer(admin.accessToken),
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().ok).toBe(false);
      expect(bad.json().error).toContain('defaultOperation');
      expect(
        (await t.app.inject({ method: 'POST', url: '/api/organizer/config', payload: { namingConfig: 'x' }, headers: bearer(admin.accessToken) })).statusCode,
      ).toBe(400);
    });

    it('keeps unknown keys of a legacy organizer.json', async () => {
      t = await createTestApp({ engine, phase });
      const legacy = { destinations: { books: '/b', custom: '/c' }, conflictResolution: 'rename', pluginSetting: { on: true } };
      if (phase === 'files' || phase === 'dual-read-files') writeFileSync(file(), JSON.stringify(legacy, null, 2));
      if (phase !== 'files') await t.ctx.stores.settings.put('organizer', legacy);
      const admin = await registerAdmin(t.app);
      const got = (await t.app.inject({ method: 'GET', url: '/api/organizer/config', headers: bearer(admin.accessToken) })).json().config;
      expect(got).toEqual({ ...defaultOrganizerConfig(), ...legacy });
      const saved = (
        await t.app.inject({ method: 'POST', url: '/api/organizer/config', payload: { destinations: { music: '/m' } }, headers: bearer(admin.accessToken) })
      ).json().config;
      expect(saved).toEqual({ ...defaultOrganizerConfig(), ...legacy, destinations: { books: '/b', custom: '/c', music: '/m' } });
      if (filesWritten) expect(JSON.parse(readFileSync(file(), 'utf8'))).toEqual(saved);
    });
  });
}
