import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Client,
  conformanceMatrix,
  expectBare,
  expectError,
  expectExactKeys,
  expectOk,
  expectShape,
  ISO_MS,
  startClient,
} from './legacy-conformance.helpers.js';

/**
 * API.md §8 (verify settings), §10 (metadata settings), §13 (organizer config), §14 (onboarding),
 * §15 (subtitle automation config), §16 (plugins, system): envelopes, defaults, persistence (in
 * phase `files` the legacy JSON files are what gets written).
 */
for (const [engine, phase] of conformanceMatrix()) {
  describe(`configuration routes (API.md §8, §10, §13-16) on ${engine}/${phase}`, () => {
    let c: Client;
    const legacyFile = (name: string): Record<string, unknown> | undefined => {
      const p = join(c.t.configDir, name);
      return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>) : undefined;
    };
    beforeAll(async () => {
      c = await startClient(engine, phase);
    });
    afterAll(async () => c?.t.close());

    it('GET/POST /api/metadata/settings: bare view (no ok) with defaults; save answers {ok,tmdb,musicbrainz}; key never shown', async () => {
      const view = expectBare(await c.call('GET', '/api/metadata/settings', { token: c.user }));
      expect(view).toEqual({ tmdb: { hasApiKey: false, language: 'en-US', includeAdult: false }, musicbrainz: { enabled: true } });
      const saved = expectOk(
        await c.call('POST', '/api/metadata/settings', { token: c.admin, body: { tmdb: { apiKey: 'tmdb-secret-42', language: 'en-GB' } } }),
      );
      expectExactKeys(saved, ['ok', 'tmdb', 'musicbrainz']);
      expect(saved).toEqual({ ok: true, tmdb: { hasApiKey: true, language: 'en-GB', includeAdult: false }, musicbrainz: { enabled: true } });
      const kept = expectOk(
        await c.call('POST', '/api/metadata/settings', { token: c.admin, body: { tmdb: { apiKey: '' }, musicbrainz: { enabled: false } } }),
      );
      expect(kept).toMatchObject({ tmdb: { hasApiKey: true, language: 'en-GB' }, musicbrainz: { enabled: false } });
      expect(JSON.stringify(await c.call('GET', '/api/metadata/settings', { token: c.user }).then((r) => r.json()))).not.toContain('tmdb-secret-42');
      expectError(await c.call('POST', '/api/metadata/settings', { token: c.admin, body: { tmdb: { includeAdult: 'yes' } } }), 400, /includeAdult/);
    });

    it('GET/POST /api/organizer/config: {ok,config,defaultNamingConfig}; partial saves merge', async () => {
      const got = expectOk(await c.call('GET', '/api/organizer/config', { token: c.user }));
      expectShape(got, {
        config: { destinations: 'object', defaultOperation: 'string', conflictResolution: 'string', cleanupEmptyFolders: 'boolean', namingConfig: 'object' },
        defaultNamingConfig: 'object',
      });
      expect(got.config).toMatchObject({ destinations: {}, defaultOperation: 'hardlink', conflictResolution: 'skip', cleanupEmptyFolders: true });
      expect((got.defaultNamingConfig as Record<string, Record<string, string>>).movies.fileFormat).toBe('{Movie.CleanTitle} ({Year}){Quality}{Extension}');
      const saved = expectOk(
        await c.call('POST', '/api/organizer/config', { token: c.admin, body: { destinations: { movies: '/media/movies' }, defaultOperation: 'copy' } }),
      );
      expectExactKeys(saved, ['ok', 'config']);
      const merged = expectOk(await c.call('POST', '/api/organizer/config', { token: c.admin, body: { destinations: { series: '/media/tv' } } }));
      expect(merged.config).toMatchObject({ destinations: { movies: '/media/movies', series: '/media/tv' }, defaultOperation: 'copy' });
      expectError(await c.call('POST', '/api/organizer/config', { token: c.admin, body: { defaultOperation: 'teleport' } }), 400, /defaultOperation/);
    });

    it('onboarding: check-setup/status bare, setup and a body-less scan answer {success,message}', async () => {
      expect(expectBare(await c.call('GET', '/api/onboarding/check-setup'))).toEqual({ setupCompleted: false });
      expect(expectBare(await c.call('GET', '/api/onboarding/status', { token: c.user }))).toEqual({ scanning: false, progress: 100, currentFile: null });
      const setup = await c.call('POST', '/api/onboarding/setup', {
        token: c.admin,
        body: {
          folders: [
            { path: '/media/movies', type: 'movies' },
            { path: '/media/tv', type: 'series' },
          ],
        },
      });
      expect(setup.statusCode).toBe(200);
      expect(setup.json()).toEqual({ success: true, message: 'Folders saved' });
      expect(expectBare(await c.call('GET', '/api/onboarding/check-setup'))).toEqual({ setupCompleted: true });
      const scan = await c.call('POST', '/api/onboarding/scan', { token: c.admin, headers: { 'content-type': 'application/json' } });
      expect(scan.statusCode).toBe(200);
      expect(scan.json()).toEqual({ success: true, message: 'Scan started' });
      expectError(await c.call('POST', '/api/onboarding/setup', { token: c.admin, body: { folders: [{ path: '/x', type: 'music' }] } }), 400, /type/);
      if (phase === 'files') {
        const doc = legacyFile('settings.json')!;
        expect(doc).toMatchObject({
          setupCompleted: true,
          mediaFolders: [
            { path: '/media/movies', type: 'movies', enabled: true },
            { path: '/media/tv', type: 'series', enabled: true },
          ],
        });
        expect(doc.lastScanDate).toMatch(ISO_MS);
      }
    });

    it('GET/POST /api/subtitles/automation/config: {ok,config} with the legacy defaults; save merges and says so', async () => {
      const got = expectOk(await c.call('GET', '/api/subtitles/automation/config', { token: c.user }));
      expect(got).toEqual({
        ok: true,
        config: {
          enabled: true,
          autoSyncOnDownload: true,
          autoGenerateWhenMissing: false,
          preferredLanguages: ['en'],
          whisperModel: 'base',
          maxSyncOffsetMs: 5000,
          scanScheduleHours: 24,
        },
      });
      const saved = expectOk(await c.call('POST', '/api/subtitles/automation/config', { token: c.admin, body: { preferredLanguages: ['en', 'es'] } }));
      expect(saved).toMatchObject({ config: { enabled: true, preferredLanguages: ['en', 'es'], whisperModel: 'base' }, message: expect.any(String) });
      expect(expectOk(await c.call('GET', '/api/subtitles/automation/config', { token: c.user })).config).toEqual(saved.config);
    });

    it('GET/POST /api/settings/verify: {ok,settings} ({} by default); a save replaces the document', async () => {
      expect(expectOk(await c.call('GET', '/api/settings/verify', { token: c.user }))).toEqual({ ok: true, settings: {} });
      const first = { minDurationSec: 300, allowedContainers: ['mkv', 'mp4'] };
      expect(expectOk(await c.call('POST', '/api/settings/verify', { token: c.admin, body: first }))).toEqual({ ok: true, settings: first });
      const second = { minBitrateKbpsByHeight: { 480: 600, 720: 1500 } };
      expect(expectOk(await c.call('POST', '/api/settings/verify', { token: c.admin, body: second }))).toEqual({
        ok: true,
        settings: { minBitrateKbpsByHeight: { 480: 600, 720: 1500 } },
      });
      expect(expectOk(await c.call('GET', '/api/settings/verify', { token: c.user })).settings).toEqual({ minBitrateKbpsByHeight: { 480: 600, 720: 1500 } });
      if (phase === 'files') expect(legacyFile('verify.json')).toEqual({ minBitrateKbpsByHeight: { 480: 600, 720: 1500 } });
    });

    it('GET /api/plugins and POST /api/plugins/:id/toggle keep the `success` envelope', async () => {
      const list = await c.call('GET', '/api/plugins', { token: c.user });
      expect(list.statusCode).toBe(200);
      expectShape(list.json(), {
        success: 'boolean',
        plugins: [{ id: 'string', name: 'string', version: 'string', description: 'string', author: 'string', enabled: 'boolean' }],
      });
      expect(list.json().success).toBe(true);
      const toggle = await c.call('POST', '/api/plugins/nope/toggle', { token: c.user, headers: { 'content-type': 'application/json' } });
      expect(toggle.statusCode).toBe(404);
      expect(toggle.json()).toEqual({ success: false, message: 'Plugin not found' });
    });

    it('GET /api/system/health and /api/system/info: the legacy shapes, no auth', async () => {
      const health = expectBare(await c.call('GET', '/api/system/health'));
      expectExactKeys(health, ['status', 'timestamp', 'uptime', 'version', 'environment']);
      expectShape(health, { status: 'string', timestamp: 'iso', uptime: 'number', version: 'string', environment: 'string' });
      expect(health.status).toBe('ok');
      const info = expectBare(await c.call('GET', '/api/system/info'));
      expectExactKeys(info, ['name', 'version', 'description', 'environment', 'nodeVersion', 'platform', 'arch']);
      expect(info).toMatchObject({ name: 'MediaOS', version: health.version, nodeVersion: process.version, platform: process.platform, arch: process.arch });
    });
  });
}
