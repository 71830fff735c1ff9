import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin } from '../helpers/auth.js';
import { type Client, conformanceMatrix, expectBare, expectError, expectOk, startClient } from './legacy-conformance.helpers.js';

/**
 * How real clients send requests (API.md §0.1, NOTES.md §1): JSON with a charset, body-less POSTs
 * that still say `Content-Type: application/json` (the legacy UI's `post(url)`), form posts,
 * repeated query keys, trailing slashes, HEAD, OPTIONS, unknown routes, huge bodies. Every answer
 * is JSON (never an HTML page) and every error carries `ok:false`.
 */
const JSON_CT = { 'content-type': 'application/json' };

for (const [engine, phase] of conformanceMatrix()) {
  describe(`request styles on ${engine}/${phase}`, () => {
    let c: Client;
    const libraryCount = async () => ((await c.call('GET', '/api/library', { token: c.admin })).json() as { items: unknown[] }).items.length;

    beforeAll(async () => {
      c = await startClient(engine, phase);
    });
    afterAll(async () => c?.t.close());

    it('accepts JSON with a charset parameter, in any case', async () => {
      const types = ['application/json; charset=utf-8', 'application/json;charset=UTF-8', 'Application/JSON; charset=utf-8'];
      for (const [i, ct] of types.entries()) {
        const res = await c.call('POST', '/api/library', { token: c.admin, body: { kind: 'movie', title: `Charset ${i} é` }, headers: { 'content-type': ct } });
        const body = expectOk(res, ct);
        expect(body.item).toMatchObject({ kind: 'movie', title: `Charset ${i} é` });
      }
    });

    it('runs a body-less POST that says application/json (legacy: 400 FST_ERR_CTP_EMPTY_JSON_BODY)', async () => {
      const scan = await c.call('POST', '/api/onboarding/scan', { token: c.admin, headers: JSON_CT });
      expect(scan.statusCode, scan.body).toBe(200);
      expect(scan.json()).toEqual({ success: true, message: 'Scan started' });
      const reset = expectOk(await c.call('POST', '/api/settings/quality-profiles/reset', { token: c.admin, headers: JSON_CT }));
      expect((reset.profiles as unknown[]).length).toBe(4);
      const wantedScan = expectOk(await c.call('POST', '/api/wanted/scan', { token: c.user, headers: JSON_CT }));
      expect(wantedScan).toMatchObject({ scanned: 0, results: [] });
      const sync = await c.call('POST', '/api/indexers/prowlarr/sync', { token: c.admin, headers: JSON_CT });
      expectError(sync, 400, 'Prowlarr not configured', 'sync before configuring');
      // Public logout with an empty JSON body: the legacy no-op answer.
      const logout = await c.call('POST', '/api/auth/logout', { headers: JSON_CT });
      expect(logout.statusCode).toBe(200);
      expect(logout.json()).toEqual({ ok: true, message: 'Logged out successfully' });
    });

    it('runs a body-less DELETE that says application/json (the UI client always sends it)', async () => {
      const created = expectOk(await c.call('POST', '/api/library', { token: c.admin, body: { kind: 'book', title: 'Deleted with a content type' } }));
      const id = (created.item as { id: string }).id;
      const del = expectOk(await c.call('DELETE', `/api/library/${encodeURIComponent(id)}`, { token: c.admin, headers: JSON_CT }));
      expect(del.item).toMatchObject({ id, title: 'Deleted with a content type' });
      expectOk(await c.call('DELETE', '/api/wanted/movies/none', { token: c.user, headers: JSON_CT }));
    });

    it('answers an empty or absent body on a route that needs one with its own 400, naming the fields', async () => {
      for (const headers of [JSON_CT, {}]) {
        const lib = await c.call('POST', '/api/library', { token: c.admin, headers });
        expectError(lib, 400, /kind.*title/, 'library');
        expectError(await c.call('POST', '/api/wanted', { token: c.user, headers }), 400, 'missing_params', 'wanted');
        expectError(await c.call('POST', '/api/auth/login', { headers }), 400, 'Email and password are required', 'login');
        expectError(await c.call('POST', '/api/auth/refresh', { headers }), 400, 'Refresh token is required', 'refresh');
        expectError(await c.call('POST', '/api/verify/check', { token: c.user, headers }), 400, 'missing_params', 'verify');
      }
    });

    it('refuses an absent body on whole-document saves instead of wiping the document', async () => {
      const saved = expectOk(
        await c.call('POST', '/api/settings/downloaders', {
          token: c.admin,
          body: { qbittorrent: { enabled: true, baseUrl: 'http://127.0.0.1:9', username: 'u', password: 'kept-secret-1' } },
        }),
      );
      expect(saved.downloaders).toMatchObject({ qbittorrent: { enabled: true, hasPassword: true } });
      expectOk(await c.call('POST', '/api/settings/verify', { token: c.admin, body: { minDurationSec: 300 } }));
      for (const headers of [JSON_CT, {}]) {
        expectError(await c.call('POST', '/api/settings/downloaders', { token: c.admin, headers }), 400, /request body is required/, 'downloaders');
        expectError(await c.call('POST', '/api/settings/verify', { token: c.admin, headers }), 400, /request body is required/, 'verify');
      }
      expectError(await c.call('POST', '/api/settings/downloaders', { token: c.admin, body: null }), 400, /request body is required/, 'null');
      const view = (await c.call('GET', '/api/settings/downloaders', { token: c.admin })).json();
      expect(view).toMatchObject({ qbittorrent: { enabled: true, baseUrl: 'http://127.0.0.1:9', hasPassword: true } });
      expect(expectOk(await c.call('GET', '/api/settings/verify', { token: c.admin })).settings).toEqual({ minDurationSec: 300 });
      // An explicit {} is still the legacy "reset to defaults".
      expect(expectOk(await c.call('POST', '/api/settings/verify', { token: c.admin, body: {} })).settings).toEqual({});
    });

    it('refuses form-urlencoded with the legacy 415 body (+ ok:false) and writes nothing', async () => {
      const before = await libraryCount();
      const res = await c.t.app.inject({
        method: 'POST',
        url: '/api/library',
        payload: 'kind=movie&title=Form',
        headers: { ...bearer(c.admin), 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(res.statusCode).toBe(415);
      expect(res.json()).toMatchObject({ ok: false, statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', error: 'Unsupported Media Type' });
      expect(await libraryCount()).toBe(before);
      const login = await c.t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: 'email=a%40b.c&password=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(login.statusCode).toBe(415);
    });

    it('answers broken JSON with the legacy 400 body (+ ok:false)', async () => {
      const res = await c.call('POST', '/api/library', { token: c.admin, headers: JSON_CT, body: undefined });
      expect(res.statusCode).toBe(400); // (empty: the route's own 400, above)
      const bad = await c.t.app.inject({ method: 'POST', url: '/api/library', payload: '{"kind":', headers: { ...bearer(c.admin), ...JSON_CT } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ ok: false, statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY', error: 'Bad Request' });
      const poisoned = await c.t.app.inject({
        method: 'POST',
        url: '/api/library',
        payload: '{"kind":"movie","title":"P","__proto__":{"x":1}}',
        headers: { ...bearer(c.admin), ...JSON_CT },
      });
      expect(poisoned.statusCode).toBe(400);
      expect(poisoned.json()).toMatchObject({ ok: false, statusCode: 400 });
      expect(({} as Record<string, unknown>).x).toBeUndefined();
    });

    it('reads repeated query keys without a 500: paging keys must be single, others are ignored', async () => {
      expectError(await c.call('GET', '/api/library?kind=movie&kind=series', { token: c.user }), 400, /^kind: /);
      expectError(await c.call('GET', '/api/library?limit=1&limit=2', { token: c.user }), 400, /^limit: /);
      // Keys no route reads: the legacy `{items}` list as without them.
      const list = expectBare(await c.call('GET', '/api/library?foo=1&foo=2', { token: c.user }));
      expect(Array.isArray(list.items)).toBe(true);
      expectOk(await c.call('GET', '/api/wanted?x=1&x=2', { token: c.user }));
      // verify/last coerces like legacy (`String(v)`), so a repeated key finds nothing.
      expect((await c.call('GET', '/api/verify/last?kind=movie&kind=series&id=1', { token: c.user })).json()).toEqual({ ok: true, result: null });
      expectError(await c.call('GET', '/api/downloads/last?kind=movie&kind=series&id=1', { token: c.user }), 400, /^kind: /);
    });

    it('treats a trailing slash like none (legacy served its prefixed routes both ways)', async () => {
      const created = expectOk(await c.call('POST', '/api/wanted/', { token: c.user, body: { id: 'slash1', title: 'Slash', kind: 'movies' } }));
      expect(created.items).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'slash1' })]));
      expect((expectOk(await c.call('GET', '/api/wanted/', { token: c.user })).items as unknown[]).length).toBeGreaterThan(0);
      expect(expectBare(await c.call('GET', '/api/calendar/', { token: c.user })).events).toEqual(expect.any(Array));
      expect(expectBare(await c.call('GET', '/api/indexers/', { token: c.user })).indexers).toEqual(expect.any(Array));
      expect(expectBare(await c.call('GET', '/api/library/', { token: c.user })).items).toEqual(expect.any(Array));
      expect(expectBare(await c.call('GET', '/api/library/?kind=movie&limit=1', { token: c.user }))).toMatchObject({
        items: expect.any(Array),
        total: expect.any(Number),
      });
      expect(expectBare(await c.call('GET', '/api/onboarding/check-setup/'))).toHaveProperty('setupCompleted');
      const item = expectOk(await c.call('POST', '/api/library/', { token: c.admin, body: { kind: 'movie', title: 'Slashed' } })).item as { id: string };
      expect(expectOk(await c.call('GET', `/api/library/${item.id}/`, { token: c.user })).item).toMatchObject({ id: item.id });
      expectOk(await c.call('DELETE', '/api/wanted/movies/slash1/', { token: c.user }));
    });

    it('answers HEAD like GET without a body, 401 included', async () => {
      const status = await c.call('HEAD', '/api/auth/status');
      expect(status.statusCode).toBe(200);
      expect(String(status.headers['content-type'])).toMatch(/^application\/json/);
      expect(status.body).toBe('');
      const lib = await c.call('HEAD', '/api/library', { token: c.user });
      expect(lib.statusCode).toBe(200);
      expect(lib.body).toBe('');
      expect((await c.call('HEAD', '/api/library')).statusCode).toBe(401);
      expect((await c.call('HEAD', '/api/nothing-here')).statusCode).toBe(404);
    });

    it('answers OPTIONS with the methods of the path (no CORS headers), or the JSON 404', async () => {
      const lib = await c.call('OPTIONS', '/api/library');
      expect(lib.statusCode).toBe(204);
      expect(String(lib.headers.allow).split(', ')).toEqual(['GET', 'HEAD', 'POST', 'OPTIONS']);
      expect(lib.headers['access-control-allow-origin']).toBeUndefined();
      const item = await c.call('OPTIONS', '/api/library/abc?x=1', {
        headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'DELETE' },
      });
      expect(item.statusCode).toBe(204);
      expect(String(item.headers.allow).split(', ')).toEqual(['GET', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS']);
      expect(item.headers['access-control-allow-origin']).toBeUndefined();
      const none = await c.call('OPTIONS', '/api/nothing-here');
      expect(none.statusCode).toBe(404);
      expect(none.json()).toMatchObject({ ok: false, error: 'not_found' });
    });

    it('answers unknown routes and methods with a JSON 404 (legacy message kept)', async () => {
      for (const [method, url] of [
        ['GET', '/api/nothing'],
        ['POST', '/api/nothing'],
        // `/` and other browser pages are the web app now (test/http/web-app.test.ts); under /api an unknown route stays this JSON 404.
        ['DELETE', '/'],
        ['PUT', '/api/library'],
        ['GET', '/api/library/x/y'],
      ]) {
        const res = await c.call(method, url, { token: c.admin, body: method === 'GET' ? undefined : {} });
        expect(res.statusCode, `${method} ${url}`).toBe(404);
        expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
        expect(res.json()).toEqual({ ok: false, error: 'not_found', message: `Route ${method}:${url} not found`, statusCode: 404 });
      }
    });

    it('refuses a body over the limit with a JSON 413 and writes nothing', async () => {
      const before = await libraryCount();
      const huge = JSON.stringify({ kind: 'movie', title: 'x'.repeat(c.t.ctx.config.uploadMaxBytes * 2 + 10) });
      const res = await c.t.app.inject({ method: 'POST', url: '/api/library', payload: huge, headers: { ...bearer(c.admin), ...JSON_CT } });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toMatchObject({ ok: false, statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE', error: 'Payload Too Large' });
      expect(await libraryCount()).toBe(before);
    });
  });
}

describe('request styles that depend on configuration', () => {
  let t: TestApp | undefined;
  afterAll(async () => t?.close());

  it('answers CORS preflights, and a bare OPTIONS too, with 204 when origins are allowed', async () => {
    t = await createTestApp({ env: { ALLOWED_ORIGINS: 'https://media.example' } });
    const pre = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/library',
      headers: { origin: 'https://media.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://media.example');
    const bare = await t.app.inject({ method: 'OPTIONS', url: '/api/library' });
    expect(bare.statusCode).toBe(204);
    await t.close();
    t = undefined;
  });

  it('answers the rate limit with the legacy 429 body (+ ok:false) and headers', async () => {
    t = await createTestApp({ env: { RATE_LIMIT_MAX: '2', RATE_LIMIT_WINDOW: '60000' } });
    const admin = await registerAdmin(t.app); // 1
    const ok = await t.app.inject({ method: 'GET', url: '/api/library', headers: bearer(admin.accessToken) }); // 2
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['x-ratelimit-limit']).toBe('2');
    const limited = await t.app.inject({ method: 'GET', url: '/api/library', headers: bearer(admin.accessToken) });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect(limited.json()).toMatchObject({
      ok: false,
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringMatching(/^Rate limit exceeded, retry in /),
    });
    await t.close();
    t = undefined;
  });
});
