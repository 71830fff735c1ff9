import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fake, fakeProwlarr, PROWLARR_VERSION } from '../indexer-clients/fakes.js';
import {
  type Client,
  conformanceMatrix,
  expectBare,
  expectError,
  expectExactKeys,
  expectOk,
  expectShape,
  QUALITY_PROFILE,
  startClient,
} from './legacy-conformance.helpers.js';

/**
 * API.md §3 (download-client settings), §4 (indexers and search), §7 (quality). Secrets are
 * never returned (`hasPassword`/`hasApiKey`); statuses are real (README "HTTP API").
 */
const PROWLARR_KEY = 'prowlarr-key-0123456789abcdef';

for (const [engine, phase] of conformanceMatrix()) {
  describe(`settings (API.md §3, §4, §7) on ${engine}/${phase}`, () => {
    let c: Client;
    let prowlarr: Fake;
    beforeAll(async () => {
      c = await startClient(engine, phase);
      prowlarr = await fakeProwlarr({ apiKey: PROWLARR_KEY });
    });
    afterAll(async () => {
      await c?.t.close();
      await prowlarr?.close();
    });

    it('GET /api/settings/downloaders: the bare DownloadersView, keys in the legacy order', async () => {
      const view = expectBare(await c.call('GET', '/api/settings/downloaders', { token: c.user }));
      expect(view).toEqual({
        qbittorrent: { enabled: false, hasPassword: false },
        nzbget: { enabled: false, hasPassword: false },
        sabnzbd: { enabled: false, hasApiKey: false },
      });
    });

    it('POST /api/settings/downloaders: {ok,downloaders}; enabled = flag or baseUrl; passwords kept when omitted', async () => {
      const saved = expectOk(
        await c.call('POST', '/api/settings/downloaders', {
          token: c.admin,
          body: {
            qbittorrent: {
              enabled: false,
              baseUrl: 'http://qb.local:8080',
              username: 'admin',
              password: 'qb-secret-1',
              timeoutMs: '5000.9',
              category: 'mediaos',
              extra: 1,
            },
            sabnzbd: { enabled: true, baseUrl: 'http://sab.local:8080', apiKey: 'sab-secret-1', category: 'tv' },
          },
        }),
      );
      expectExactKeys(saved, ['ok', 'downloaders']);
      const d = saved.downloaders as Record<string, Record<string, unknown>>;
      expect(d.qbittorrent).toEqual({
        enabled: true,
        hasPassword: true,
        baseUrl: 'http://qb.local:8080',
        username: 'admin',
        category: 'mediaos',
        timeoutMs: 5000,
      });
      // Key order (API.md §0.5): enabled, has*, then the others.
      for (const [name, has] of [
        ['qbittorrent', 'hasPassword'],
        ['nzbget', 'hasPassword'],
        ['sabnzbd', 'hasApiKey'],
      ]) {
        expect(Object.keys(d[name]).slice(0, 2), name).toEqual(['enabled', has]);
      }
      expect(d.nzbget).toEqual({ enabled: false, hasPassword: false });
      expect(d.sabnzbd).toMatchObject({ enabled: true, hasApiKey: true, baseUrl: 'http://sab.local:8080', category: 'tv' });
      expect(JSON.stringify(saved)).not.toContain('secret-1');
      const again = expectOk(
        await c.call('POST', '/api/settings/downloaders', {
          token: c.admin,
          body: {
            qbittorrent: { enabled: true, baseUrl: 'http://qb.local:8080', username: 'admin' },
            sabnzbd: { enabled: true, baseUrl: 'http://sab.local:8080' },
          },
        }),
      );
      expect((again.downloaders as Record<string, Record<string, unknown>>).qbittorrent).toMatchObject({ hasPassword: true });
      // README: an omitted SABnzbd apiKey is kept like the passwords (legacy cleared it); an
      // omitted section is reset to `{enabled:false}`, as legacy rebuilt the whole file.
      expect((again.downloaders as Record<string, Record<string, unknown>>).sabnzbd).toEqual({
        enabled: true,
        hasApiKey: true,
        baseUrl: 'http://sab.local:8080',
      });
      expect((again.downloaders as Record<string, Record<string, unknown>>).nzbget).toEqual({ enabled: false, hasPassword: false });
      expect(expectBare(await c.call('GET', '/api/settings/downloaders', { token: c.user }))).toEqual(again.downloaders);
    });

    it('POST /api/settings/downloaders/test: 400 client_required/invalid_client; settings that cannot be tried 400, a failed probe 502, both with the legacy body', async () => {
      expectError(await c.call('POST', '/api/settings/downloaders/test', { token: c.admin, body: {} }), 400, 'client_required');
      expectError(await c.call('POST', '/api/settings/downloaders/test', { token: c.admin, body: { client: 'transmission' } }), 400, 'invalid_client');
      const missing = await c.call('POST', '/api/settings/downloaders/test', { token: c.admin, body: { client: 'nzbget' } });
      expect(missing.statusCode).toBe(400);
      expect(missing.json()).toEqual({ ok: false, error: 'missing_baseUrl' });
      const down = await c.call('POST', '/api/settings/downloaders/test', {
        token: c.admin,
        body: { client: 'nzbget', settings: { baseUrl: 'http://127.0.0.1:9' } },
      });
      expect(down.statusCode).toBe(502);
      expectShape(down.json(), { ok: 'boolean', error: 'string' });
      expect(down.json().ok).toBe(false);
    });

    it('GET /api/indexers: bare {prowlarr?,jackett?,indexers}; POST /api/indexers/{prowlarr,jackett}: {ok,<source>} without keys', async () => {
      expect(expectBare(await c.call('GET', '/api/indexers', { token: c.user }))).toEqual({ indexers: [] });
      expectError(await c.call('POST', '/api/indexers/prowlarr', { token: c.admin, body: { baseUrl: prowlarr.url } }), 400, /^enabled: /);
      const p = expectOk(
        await c.call('POST', '/api/indexers/prowlarr', {
          token: c.admin,
          body: { enabled: true, baseUrl: prowlarr.url, apiKey: PROWLARR_KEY, syncEnabled: true },
        }),
      );
      expect(p).toEqual({ ok: true, prowlarr: { enabled: true, baseUrl: prowlarr.url, hasApiKey: true, syncEnabled: true } });
      const j = expectOk(await c.call('POST', '/api/indexers/jackett', { token: c.admin, body: { enabled: false } }));
      expect(j).toEqual({ ok: true, jackett: { enabled: false, hasApiKey: false } });
      const view = expectBare(await c.call('GET', '/api/indexers', { token: c.user }));
      expect(view).toEqual({ indexers: [], prowlarr: p.prowlarr, jackett: j.jackett });
      expect(JSON.stringify(view)).not.toContain(PROWLARR_KEY);
    });

    it('POST /api/indexers/{source}/test: {ok:true,version} / 200 {ok:false,error}; body values required', async () => {
      expect(expectOk(await c.call('POST', '/api/indexers/prowlarr/test', { token: c.admin, body: { baseUrl: prowlarr.url, apiKey: PROWLARR_KEY } }))).toEqual({
        ok: true,
        version: PROWLARR_VERSION,
      });
      const bad = await c.call('POST', '/api/indexers/prowlarr/test', { token: c.admin, body: { baseUrl: prowlarr.url, apiKey: 'wrong' } });
      expect(bad.statusCode).toBe(200);
      expect(bad.json()).toMatchObject({ ok: false, error: expect.any(String) });
      expectError(await c.call('POST', '/api/indexers/jackett/test', { token: c.admin, body: {} }), 400, /baseUrl/);
    });

    it('POST /api/indexers/{source}/sync: {ok:true,count}; 400 "<Source> not configured"', async () => {
      const sync = expectOk(await c.call('POST', '/api/indexers/prowlarr/sync', { token: c.admin }));
      expectExactKeys(sync, ['ok', 'count']);
      expect(sync.count).toBe(3);
      expectError(await c.call('POST', '/api/indexers/jackett/sync', { token: c.admin }), 400, 'Jackett not configured');
      const view = expectBare(await c.call('GET', '/api/indexers', { token: c.user }));
      expectShape(view.indexers, [
        { id: 'string', name: 'string', type: 'string', protocol: 'string', enabled: 'boolean', baseUrl: 'string?', priority: 'number?' },
      ]);
      expect((view.indexers as { id: string; priority: number }[]).find((i) => i.id === 'prowlarr-3')).toMatchObject({
        type: 'prowlarr',
        protocol: 'torrent',
        enabled: true,
        priority: 25,
      });
    });

    it('POST/PATCH/DELETE /api/indexers: manual entries {ok,indexer}; unknown id 404 not_found', async () => {
      const created = expectOk(
        await c.call('POST', '/api/indexers', { token: c.admin, body: { name: 'My NZB', type: 'usenet', url: 'https://nzb.example', apiKey: 'dropped' } }),
      );
      const indexer = created.indexer as Record<string, unknown>;
      // The legacy fields, plus (additive) the Torznab/Newznab implementation and hasApiKey: the key is kept now, never shown.
      expect(indexer).toEqual({
        id: expect.stringMatching(/^[a-z0-9]{10,12}$/),
        name: 'My NZB',
        type: 'manual',
        protocol: 'usenet',
        enabled: true,
        baseUrl: 'https://nzb.example',
        implementation: 'newznab',
        hasApiKey: true,
      });
      const patched = expectOk(await c.call('PATCH', `/api/indexers/${indexer.id as string}`, { token: c.admin, body: { enabled: false, priority: 10 } }));
      expect(patched.indexer).toEqual({ ...indexer, enabled: false, priority: 10 });
      expectError(await c.call('PATCH', '/api/indexers/nope', { token: c.admin, body: { enabled: false } }), 404, 'not_found');
      const removed = expectOk(await c.call('DELETE', `/api/indexers/${indexer.id as string}`, { token: c.admin }));
      expect(removed.indexer).toEqual(patched.indexer);
      expectError(await c.call('DELETE', `/api/indexers/${indexer.id as string}`, { token: c.admin }), 404, 'not_found');
    });

    it('POST /api/indexers/search: {ok,results:[{title,size:"1.4GB",seeders?,leechers?,link,protocol,indexer?,publishDate?}]}, by seeders', async () => {
      const res = expectOk(await c.call('POST', '/api/indexers/search', { token: c.user, body: { q: 'heat', cat: 2000, protocol: 'any' } }));
      const results = res.results as Record<string, unknown>[];
      expectShape(results, [
        {
          title: 'string',
          size: 'string',
          seeders: 'number?',
          leechers: 'number?',
          link: 'string',
          protocol: 'string',
          indexer: 'string?',
          publishDate: 'string?',
        },
      ]);
      expect(results[0]).toMatchObject({ title: 'Heat 1995 2160p UHD', size: '50.0GB', seeders: 120 });
      expect(results.find((r) => r.title === 'Heat 1995 1080p BluRay x264')).toMatchObject({
        size: '1.4GB',
        link: 'magnet:?xt=urn:btih:aaa',
        protocol: 'torrent',
      });
      expect(JSON.stringify(res)).not.toContain(PROWLARR_KEY);
      const torrents = expectOk(await c.call('POST', '/api/indexers/search', { token: c.user, body: { q: 'heat', protocol: 'usenet' } }));
      expect((torrents.results as { protocol: string }[]).every((r) => r.protocol === 'usenet')).toBe(true);
      expectError(await c.call('POST', '/api/indexers/search', { token: c.user, body: { q: 'h' } }), 400, /^q: /);
    });

    it('GET/POST /api/settings/quality: {ok,profiles:{[kind]:{allowed,cutoff}}}, stored as sent ({} when missing)', async () => {
      expect(expectOk(await c.call('GET', '/api/settings/quality', { token: c.user }))).toEqual({ ok: true, profiles: {} });
      const map = { movie: { allowed: ['1080p', '2160p'], cutoff: '2160p' }, series: { allowed: ['720p'], cutoff: '720p' } };
      expect(expectOk(await c.call('POST', '/api/settings/quality', { token: c.admin, body: { profiles: map } }))).toEqual({ ok: true, profiles: map });
      expect(expectOk(await c.call('GET', '/api/settings/quality', { token: c.user }))).toEqual({ ok: true, profiles: map });
      expect(expectOk(await c.call('POST', '/api/settings/quality', { token: c.admin, body: {} }))).toEqual({ ok: true, profiles: {} });
    });

    it('quality profiles: the 4 defaults, new (upgradeAllowed defaults to true), get/patch/delete, 404 "Profile not found", reset', async () => {
      const list = expectOk(await c.call('GET', '/api/settings/quality-profiles', { token: c.user }));
      expectShape(list.profiles, [QUALITY_PROFILE], 'profiles');
      expect((list.profiles as { id: string }[]).map((p) => p.id)).toEqual(['hd-1080p', 'ultra-hd', 'any', 'sd-only']);
      const created = expectOk(
        await c.call('POST', '/api/settings/quality-profiles/new', {
          token: c.admin,
          body: { name: 'Kids 720p', cutoff: '720p', qualities: [{ quality: '720p', allowed: true, preferred: true }], maxSize: 4000 },
        }),
      );
      const profile = created.profile as Record<string, unknown>;
      expectShape(profile, QUALITY_PROFILE, 'profile');
      expect(profile).toMatchObject({ name: 'Kids 720p', upgradeAllowed: true, cutoff: '720p', maxSize: 4000 });
      const id = profile.id as string;
      expect(expectOk(await c.call('GET', `/api/settings/quality-profiles/${id}`, { token: c.user })).profile).toEqual(profile);
      const patched = expectOk(await c.call('PATCH', `/api/settings/quality-profiles/${id}`, { token: c.admin, body: { upgradeAllowed: false } }));
      expect(patched.profile).toEqual({ ...profile, upgradeAllowed: false });
      expect(expectOk(await c.call('DELETE', `/api/settings/quality-profiles/${id}`, { token: c.admin })).profile).toEqual(patched.profile);
      for (const [method, body] of [
        ['GET', undefined],
        ['PATCH', { name: 'x' }],
        ['DELETE', undefined],
      ] as const) {
        expectError(
          await c.call(method, `/api/settings/quality-profiles/${id}`, { token: method === 'GET' ? c.user : c.admin, body }),
          404,
          'Profile not found',
          method,
        );
      }
      const bulk = [
        { id: 'mwu9k2ab', name: 'UI made', upgradeAllowed: true, cutoff: '1080p', qualities: [{ quality: '1080p', allowed: true, preferred: true }] },
      ];
      expect(expectOk(await c.call('POST', '/api/settings/quality-profiles', { token: c.admin, body: { profiles: bulk } }))).toEqual({
        ok: true,
        profiles: bulk,
      });
      expectError(await c.call('POST', '/api/settings/quality-profiles', { token: c.admin, body: { profiles: [{ id: 'x' }] } }), 400, /name/);
      const reset = expectOk(await c.call('POST', '/api/settings/quality-profiles/reset', { token: c.admin }));
      expect(reset.profiles).toEqual(list.profiles);
    });
  });
}
