import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { legacyDecrypt, legacyEncrypt } from '../../src/security/legacy-crypto.js';
import { createTestApp, TEST_ENCRYPTION_KEY, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import { phaseMatrix } from '../helpers/matrix.js';

const TMDB_KEY = 'tmdbSecretKey0123456789abcdefXYZ';

/** Every byte of the SQLite database (main file, WAL, shared memory). */
function sqliteBytes(t: TestApp): string {
  return readdirSync(t.dir)
    .filter((f) => f.startsWith('mediaos.db'))
    .map((f) => readFileSync(join(t.dir, f)).toString('latin1'))
    .join('');
}

for (const [engine, phase] of phaseMatrix()) {
  describe(`metadata settings routes (${engine}, ${phase})`, () => {
    let t: TestApp | undefined;
    afterEach(async () => {
      await t?.close();
      t = undefined;
    });
    const filesWritten = phase !== 'db';

    it('serves the defaults, saves with an admin token, never returns or leaks the TMDB key', async () => {
      // debug: request lines are logged too, so the check below covers them
      t = await createTestApp({ engine, phase, env: { LOG_LEVEL: 'debug' } });
      const admin = await registerAdmin(t.app);
      const user = await registerUser(t.app, admin.accessToken);
      expect((await t.app.inject({ method: 'GET', url: '/api/metadata/settings' })).statusCode).toBe(401);
      const defaults = await t.app.inject({ method: 'GET', url: '/api/metadata/settings', headers: bearer(user.accessToken) });
      expect(defaults.json()).toEqual({ tmdb: { hasApiKey: false, language: 'en-US', includeAdult: false }, musicbrainz: { enabled: true } });
      expect(await t.ctx.stores.settings.get('metadata')).toBeUndefined(); // reading creates nothing

      const denied = await t.app.inject({
        method: 'POST',
        url: '/api/metadata/settings',
        payload: { tmdb: { apiKey: TMDB_KEY } },
        headers: bearer(user.accessToken),
      });
      expect(denied.statusCode).toBe(403);

      const saved = await t.app.inject({
        method: 'POST',
        url: '/api/metadata/settings',
        payload: { tmdb: { apiKey: TMDB_KEY, language: 'en-GB' } },
        headers: bearer(admin.accessToken),
      });
      expect(saved.statusCode).toBe(200);
      expect(saved.json()).toEqual({ ok: true, tmdb: { hasApiKey: true, language: 'en-GB', includeAdult: false }, musicbrainz: { enabled: true } });

      // omitted and empty keys keep the stored one
      const kept = await t.app.inject({
        method: 'POST',
        url: '/api/metadata/settings',
        payload: { tmdb: { apiKey: '', includeAdult: true }, musicbrainz: { enabled: false } },
        headers: bearer(admin.accessToken),
      });
      expect(kept.json()).toEqual({ ok: true, tmdb: { hasApiKey: true, language: 'en-GB', includeAdult: true }, musicbrainz: { enabled: false } });
      const view = await t.app.inject({ method: 'GET', url: '/api/metadata/settings', headers: bearer(user.accessToken) });
      expect(view.json()).toEqual({ tmdb: { hasApiKey: true, language: 'en-GB', includeAdult: true }, musicbrainz: { enabled: false } });
      expect(
        (await t.app.inject({ method: 'POST', url: '/api/metadata/settings', payload: { tmdb: { includeAdult: 'yes' } }, headers: bearer(admin.accessToken) }))
          .statusCode,
      ).toBe(400);

      // the key is usable by the search routes, and nowhere else in plaintext
      expect((await t.ctx.services.metadataSettings.providerConfig()).tmdb.apiKey).toBe(TMDB_KEY);
      for (const r of [defaults, saved, kept, view]) expect(r.body).not.toContain(TMDB_KEY);
      expect(t.logs.length).toBeGreaterThan(0);
      expect(t.logs.join('\n')).not.toContain(TMDB_KEY);
      if (engine === 'sqlite') expect(sqliteBytes(t)).not.toContain(TMDB_KEY);

      const file = join(t.configDir, 'metadata.json');
      if (filesWritten) {
        const text = readFileSync(file, 'utf8');
        expect(text).not.toContain(TMDB_KEY);
        const doc = JSON.parse(text);
        expect(legacyDecrypt(doc.tmdb.apiKey, TEST_ENCRYPTION_KEY)).toBe(TMDB_KEY);
        expect({ ...doc, tmdb: { ...doc.tmdb, apiKey: 'x' } }).toEqual({
          tmdb: { apiKey: 'x', language: 'en-GB', includeAdult: true },
          musicbrainz: { enabled: false },
        });
      } else {
        expect(existsSync(file)).toBe(false);
      }
    });

    it('reads a legacy metadata.json (encrypted key, unknown keys) and keeps its unknown keys on save', async () => {
      t = await createTestApp({ engine, phase });
      const legacy = {
        tmdb: { apiKey: legacyEncrypt(TMDB_KEY, TEST_ENCRYPTION_KEY), language: 'fr-FR', includeAdult: false, region: 'FR' },
        musicbrainz: { enabled: true },
        fanart: { on: true },
      };
      if (phase === 'files' || phase === 'dual-read-files') writeFileSync(join(t.configDir, 'metadata.json'), JSON.stringify(legacy, null, 2));
      if (phase !== 'files')
        await t.ctx.db.kysely
          .insertInto('settings')
          .values({ key: 'metadata', value: JSON.stringify({ ...legacy, tmdb: { ...legacy.tmdb, apiKey: t.ctx.secretBox.seal(TMDB_KEY) } }) })
          .execute();
      const admin = await registerAdmin(t.app);
      const h = bearer(admin.accessToken);
      expect((await t.app.inject({ method: 'GET', url: '/api/metadata/settings', headers: h })).json()).toEqual({
        tmdb: { hasApiKey: true, language: 'fr-FR', includeAdult: false },
        musicbrainz: { enabled: true },
      });
      await t.app.inject({ method: 'POST', url: '/api/metadata/settings', payload: { tmdb: { language: 'de-DE' } }, headers: h });
      const doc = await t.ctx.stores.settings.get('metadata');
      expect(doc).toEqual({
        tmdb: { apiKey: TMDB_KEY, language: 'de-DE', includeAdult: false, region: 'FR' },
        musicbrainz: { enabled: true },
        fanart: { on: true },
      });
      if (filesWritten) {
        const onDisk = JSON.parse(readFileSync(join(t.configDir, 'metadata.json'), 'utf8'));
        expect(legacyDecrypt(onDisk.tmdb.apiKey, TEST_ENCRYPTION_KEY)).toBe(TMDB_KEY);
        expect(onDisk.fanart).toEqual({ on: true });
        expect(onDisk.tmdb.language).toBe('de-DE');
      }
    });
  });
}
