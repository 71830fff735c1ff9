import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyMarker } from '../../src/indexers/indexers.links.js';
import { legacyDecrypt, looksLegacyEncrypted } from '../../src/security/legacy-crypto.js';
import { expectNoSecretLeak, type RouteCtx, routeCtx } from '../downloads/route-helpers.js';
import { TEST_ENCRYPTION_KEY } from '../helpers/app.js';
import { phaseMatrix } from '../helpers/matrix.js';
import { type Fake, fakeJackett, fakeProwlarr, JACKETT_VERSION, PROWLARR_VERSION } from '../indexer-clients/fakes.js';

const P_KEY = 'prowlarr-stored-key-5f1c0a9e2b7d4c38';
const J_KEY = 'jackett-stored-key-9a8b7c6d5e4f3a21';
const SECRETS = [P_KEY, J_KEY, 'stored-key-123'];

for (const [engine, phase] of phaseMatrix()) {
  describe(`indexers routes (${engine}, ${phase})`, () => {
    let c: RouteCtx;
    let prowlarr: Fake;
    let jackett: Fake;
    beforeAll(async () => {
      c = await routeCtx(engine, phase);
      prowlarr = await fakeProwlarr({ apiKey: P_KEY });
      jackett = await fakeJackett({ apiKey: J_KEY });
    });
    afterAll(async () => {
      await Promise.all([prowlarr.close(), jackett.close()]);
      await c.close();
    });

    const admin = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => c.call({ method, url, payload, token: c.admin });
    const view = async () => (await c.call({ method: 'GET', url: '/api/indexers', token: c.user })).json();

    /** In the file phases, indexers.json holds what the API shows (plus legacy-encrypted keys). */
    async function expectFileMatchesApi(): Promise<void> {
      const path = join(c.t.configDir, 'indexers.json');
      if (phase === 'db') return void expect(existsSync(path)).toBe(false);
      const file = JSON.parse(readFileSync(path, 'utf8'));
      const api = await view();
      // Manual Torznab/Newznab entries: the file holds the key in the legacy ciphertext, the API says hasApiKey.
      const fileEntries = file.indexers.map(({ apiKey, ...rest }: Record<string, unknown>) => {
        if (apiKey !== undefined) expect(looksLegacyEncrypted(apiKey as string)).toBe(true);
        return rest.implementation === undefined ? rest : { ...rest, hasApiKey: apiKey !== undefined };
      });
      expect(fileEntries).toStrictEqual(api.indexers);
      for (const [source, key] of [
        ['prowlarr', P_KEY],
        ['jackett', J_KEY],
      ] as const) {
        if (!api[source]) continue;
        const { apiKey, ...rest } = file[source];
        const { hasApiKey, ...shown } = api[source];
        expect(rest).toStrictEqual(shown);
        expect(hasApiKey).toBe(apiKey !== undefined);
        if (apiKey !== undefined) {
          expect(looksLegacyEncrypted(apiKey)).toBe(true);
          expect(legacyDecrypt(apiKey, TEST_ENCRYPTION_KEY)).toBe(key);
        }
      }
    }

    it('needs a user to read and search, an admin for everything else', async () => {
      expect((await c.call({ method: 'GET', url: '/api/indexers' })).statusCode).toBe(401);
      expect(await view()).toStrictEqual({ indexers: [] });
      for (const [method, url] of [
        ['POST', '/api/indexers/prowlarr'],
        ['POST', '/api/indexers/jackett'],
        ['POST', '/api/indexers/prowlarr/test'],
        ['POST', '/api/indexers/jackett/sync'],
        ['POST', '/api/indexers'],
        ['PATCH', '/api/indexers/x'],
        ['DELETE', '/api/indexers/x'],
      ] as const) {
        const r = await c.call({ method, url, payload: method === 'DELETE' ? undefined : {}, token: c.user });
        expect(r.statusCode, `${method} ${url}`).toBe(403);
        expect(r.json()).toEqual({ ok: false, error: 'Insufficient permissions' });
      }
      const s = await c.call({ method: 'POST', url: '/api/indexers/search', payload: { q: 'Heat' }, token: c.user });
      expect(s.statusCode).toBe(200);
      expect(s.json()).toStrictEqual({ ok: true, results: [] }); // no fake results
    });

    it('answers 400 for bad input (a 1-char q too), never 500', async () => {
      const q = await c.call({ method: 'POST', url: '/api/indexers/search', payload: { q: 'H' }, token: c.user });
      expect(q.statusCode).toBe(400);
      expect(q.json().error).toContain('q');
      const neg = await c.call({ method: 'POST', url: '/api/indexers/search', payload: { q: 'Heat', minSeeders: -1 }, token: c.user });
      expect(neg.statusCode).toBe(400);
      expect((await admin('POST', '/api/indexers/prowlarr', { baseUrl: prowlarr.url })).json().error).toContain('enabled');
      const url = await admin('POST', '/api/indexers/prowlarr', { enabled: true, baseUrl: 'not a url' });
      expect(url.statusCode).toBe(400);
      expect(url.json().error).toContain('baseUrl');
      expect((await admin('POST', '/api/indexers/jackett/test', { baseUrl: jackett.url })).statusCode).toBe(400);
      expect((await admin('POST', '/api/indexers', { name: 'x', type: 'magnet' })).statusCode).toBe(400);
    });

    it('tests a source with the body values', async () => {
      expect((await admin('POST', '/api/indexers/prowlarr/test', { baseUrl: prowlarr.url, apiKey: P_KEY })).json()).toEqual({
        ok: true,
        version: PROWLARR_VERSION,
      });
      expect(prowlarr.requests.at(-1)!.headers['x-api-key']).toBe(P_KEY);
      const bad = await admin('POST', '/api/indexers/prowlarr/test', { baseUrl: prowlarr.url, apiKey: 'wrong-key' });
      expect(bad.statusCode).toBe(200);
      expect(bad.json()).toEqual({ ok: false, error: 'HTTP 401' });
      expect((await admin('POST', '/api/indexers/jackett/test', { baseUrl: jackett.url, apiKey: J_KEY })).json()).toEqual({
        ok: true,
        version: JACKETT_VERSION,
      });
    });

    it('refuses to sync an unconfigured source', async () => {
      const r = await admin('POST', '/api/indexers/prowlarr/sync');
      expect(r.statusCode).toBe(400);
      expect(r.json()).toEqual({ ok: false, error: 'Prowlarr not configured' });
      expect((await admin('POST', '/api/indexers/jackett/sync')).json()).toEqual({ ok: false, error: 'Jackett not configured' });
    });

    it('saves source settings with the legacy keep/replace rules, never returning a key', async () => {
      const r = await admin('POST', '/api/indexers/prowlarr', { enabled: true, baseUrl: prowlarr.url, apiKey: P_KEY, syncEnabled: true });
      expect(r.json()).toStrictEqual({ ok: true, prowlarr: { enabled: true, baseUrl: prowlarr.url, hasApiKey: true, syncEnabled: true } });
      // apiKey kept when omitted or "", syncEnabled kept when omitted, baseUrl removed when omitted
      const kept = await admin('POST', '/api/indexers/prowlarr', { enabled: false, apiKey: '' });
      expect(kept.json()).toStrictEqual({ ok: true, prowlarr: { enabled: false, hasApiKey: true, syncEnabled: true } });
      await admin('POST', '/api/indexers/prowlarr', { enabled: true, baseUrl: prowlarr.url, syncEnabled: false });
      const j = await admin('POST', '/api/indexers/jackett', { enabled: true, baseUrl: jackett.url, apiKey: J_KEY });
      expect(j.json()).toStrictEqual({ ok: true, jackett: { enabled: true, baseUrl: jackett.url, hasApiKey: true } });
      expect(await view()).toStrictEqual({
        prowlarr: { enabled: true, baseUrl: prowlarr.url, hasApiKey: true, syncEnabled: false },
        jackett: { enabled: true, baseUrl: jackett.url, hasApiKey: true },
        indexers: [],
      });
      await expectFileMatchesApi();
    });

    it('syncs with the stored decrypted keys and the legacy replacement rules', async () => {
      const manual = (await admin('POST', '/api/indexers', { name: 'My NZB', type: 'usenet', url: 'https://nzb.example' })).json().indexer;
      const j = await admin('POST', '/api/indexers/jackett/sync');
      expect(j.json()).toEqual({ ok: true, count: 2 });
      expect(jackett.requests.at(-1)!.query.get('apikey')).toBe(J_KEY);
      const p = await admin('POST', '/api/indexers/prowlarr/sync');
      expect(p.json()).toEqual({ ok: true, count: 3 });
      expect(prowlarr.requests.at(-1)!.headers['x-api-key']).toBe(P_KEY);
      // Prowlarr sync keeps manual entries and drops the Jackett ones (legacy)
      expect((await view()).indexers).toStrictEqual([
        manual,
        { id: 'prowlarr-3', name: 'NyaaSi', type: 'prowlarr', protocol: 'torrent', enabled: true, priority: 25 },
        { id: 'prowlarr-12', name: 'NZBgeek', type: 'prowlarr', protocol: 'usenet', enabled: false, priority: 10 },
        { id: 'prowlarr-14', name: 'NoPriority', type: 'prowlarr', protocol: 'torrent', enabled: true, priority: 25 },
      ]);
      await admin('POST', '/api/indexers/jackett/sync');
      expect((await view()).indexers.map((i: { id: string }) => i.id)).toEqual([
        manual.id,
        'prowlarr-3',
        'prowlarr-12',
        'prowlarr-14',
        'jackett-1337x',
        'jackett-rarbg',
      ]);
      await expectFileMatchesApi();
      // A disabled manual indexer is not searched (the searches below talk to the two sources only).
      await admin('PATCH', `/api/indexers/${manual.id}`, { enabled: false });
    });

    it('maps an upstream failure during sync to 502 without the key', async () => {
      await admin('POST', '/api/indexers/prowlarr', { enabled: true, baseUrl: prowlarr.url, apiKey: 'a-wrong-prowlarr-key-000' });
      const r = await admin('POST', '/api/indexers/prowlarr/sync');
      expect(r.statusCode).toBe(502);
      expect(r.json()).toEqual({ ok: false, error: 'HTTP 401' });
      await admin('POST', '/api/indexers/prowlarr', { enabled: true, baseUrl: prowlarr.url, apiKey: P_KEY });
    });

    it('creates, patches and deletes manual indexers', async () => {
      const countBefore = (await view()).indexers.length;
      const created = await admin('POST', '/api/indexers', { name: 'Torrents', type: 'torrent', apiKey: 'stored-key-123' });
      const ix = created.json().indexer;
      // Legacy dropped the key; it is now kept (sealed) and answered as hasApiKey.
      expect(ix).toStrictEqual({
        id: expect.stringMatching(/^[0-9a-z]{11}$/),
        name: 'Torrents',
        type: 'manual',
        protocol: 'torrent',
        enabled: true,
        implementation: 'torznab',
        hasApiKey: true,
      });
      for (const bad of [{ categories: ['2000'] }, { implementation: 'rss' }, { timeoutSeconds: 0 }, { url: 'ftp://x' }]) {
        const r = await admin('POST', '/api/indexers', { name: 'Bad', type: 'torrent', ...bad });
        expect(r.statusCode).toBe(400);
        expect(JSON.stringify(r.json())).toContain(Object.keys(bad)[0]);
      }
      expect((await view()).indexers).toHaveLength(countBefore + 1);
      const patched = await admin('PATCH', `/api/indexers/${ix.id}`, { enabled: false, priority: 7, name: 'Renamed' });
      expect(patched.json()).toStrictEqual({ ok: true, indexer: { ...ix, name: 'Renamed', enabled: false, priority: 7 } });
      expect((await view()).indexers.find((i: { id: string }) => i.id === ix.id)).toStrictEqual({ ...ix, name: 'Renamed', enabled: false, priority: 7 });
      const bad = await admin('PATCH', `/api/indexers/${ix.id}`, { priority: 'high' });
      expect(bad.statusCode).toBe(400);
      const missing = await admin('PATCH', '/api/indexers/nope', { enabled: true });
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toEqual({ ok: false, error: 'not_found' });
      await expectFileMatchesApi();
      const del = await admin('DELETE', `/api/indexers/${ix.id}`);
      expect(del.json()).toStrictEqual({ ok: true, indexer: { ...ix, name: 'Renamed', enabled: false, priority: 7 } });
      expect((await admin('DELETE', `/api/indexers/${ix.id}`)).statusCode).toBe(404);
      await expectFileMatchesApi();
    });

    it('searches both sources: sorted, sized, filtered, links without keys', async () => {
      const search = async (body: object) => {
        const r = await c.call({ method: 'POST', url: '/api/indexers/search', payload: { q: 'Heat 1995', ...body }, token: c.user });
        expect(r.statusCode).toBe(200);
        return r.json();
      };
      const all = await search({ cat: 2000 });
      expect(prowlarr.requests.at(-1)!.headers['x-api-key']).toBe(P_KEY);
      expect(jackett.requests.at(-1)!.query.get('apikey')).toBe(J_KEY);
      expect(all.ok).toBe(true);
      expect(all.errors).toBeUndefined();
      expect(all.results.map((r: { title: string }) => r.title)).toEqual([
        'Heat 1995 2160p UHD',
        'Heat 1995 1080p </item> & Friends',
        'Heat 1995 1080p BluRay x264',
        'Heat & Dust 720p &&',
        'Heat 1995 480p DVDRip',
        'Heat 1995 720p NZB',
      ]);
      expect(all.results[2]).toStrictEqual({
        title: 'Heat 1995 1080p BluRay x264',
        size: '1.4GB',
        seeders: 50,
        leechers: 3,
        link: 'magnet:?xt=urn:btih:aaa',
        protocol: 'torrent',
        indexer: 'NyaaSi',
        publishDate: '2024-01-02T03:04:05.000Z',
      });
      expect(all.results[0].link).toBe(`http://prowlarr/2/download?apikey=${keyMarker('prowlarr')}&link=abc`);
      expect(all.results[3].link).toBe(`https://jackett/dl/2/?jackett_apikey=${keyMarker('jackett')}&path=def`);
      expect(all.results[1]).toMatchObject({ size: '2.1GB', seeders: 80, leechers: 15, indexer: '1337x', publishDate: '2024-01-02T03:04:05.000Z' });

      expect((await search({ protocol: 'usenet' })).results.map((r: { title: string }) => r.title)).toEqual(['Heat 1995 720p NZB']);
      expect((await search({ minSeeders: 60 })).results.map((r: { title: string }) => r.title)).toEqual([
        'Heat 1995 2160p UHD',
        'Heat 1995 1080p </item> & Friends',
        'Heat 1995 720p NZB',
      ]);
      expect((await search({ minSizeMB: 1000, maxSizeMB: 2000 })).results.map((r: { title: string }) => r.title)).toEqual([
        'Heat 1995 1080p BluRay x264',
        'Heat & Dust 720p &&',
      ]);

      const map = await admin('POST', '/api/settings/quality', { profiles: { movie: { allowed: ['1080P', '480p'], cutoff: '1080p' } } });
      expect(map.statusCode).toBe(200);
      const filtered = await search({ serverFilter: true, kind: 'movie' });
      expect(filtered.results.map((r: { title: string }) => r.title)).toEqual([
        'Heat 1995 1080p </item> & Friends',
        'Heat 1995 1080p BluRay x264',
        'Heat 1995 480p DVDRip',
      ]);
      expect((await search({ serverFilter: true, kind: 'series' })).results).toHaveLength(6);
    });

    it('reports a failing source and still answers with the others', async () => {
      await admin('POST', '/api/indexers/jackett', { enabled: true, baseUrl: jackett.url, apiKey: 'a-wrong-jackett-key-0000' });
      const r = await c.call({ method: 'POST', url: '/api/indexers/search', payload: { q: 'Heat' }, token: c.user });
      expect(r.statusCode).toBe(200);
      expect(r.json().results).toHaveLength(4);
      expect(r.json().errors).toEqual([{ source: 'jackett', error: 'torznab error 100: Invalid API Key' }]);
      await admin('POST', '/api/indexers/jackett', { enabled: false, baseUrl: jackett.url, apiKey: J_KEY });
      const only = await c.call({ method: 'POST', url: '/api/indexers/search', payload: { q: 'Heat' }, token: c.user });
      expect(only.json().results).toHaveLength(4);
      await expectFileMatchesApi();
    });

    it('never leaks a key: responses, logs, database file', () => {
      expectNoSecretLeak(c, SECRETS);
    });
  });
}
