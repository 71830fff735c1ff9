import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, bearer, USER_PASSWORD } from '../helpers/auth.js';
import { conformanceMatrix, expectError, expectExactKeys, expectOk, expectShape, type Spec, USER_RESPONSE } from './legacy-conformance.helpers.js';

/**
 * API.md §0.4 and §1 (auth), as the legacy web UI uses it (NOTES.md §1): register, login, the
 * 401 -> refresh -> retry loop, me, logout, status. Deliberate changes (README "HTTP API"): the
 * second registration needs an admin, refresh rotates, logout revokes, token kinds are distinct.
 */
function jwtParts(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p, sig] = token.split('.');
  expect(sig).toMatch(/^[A-Za-z0-9_-]+$/); // base64url, no padding
  const dec = (s: string) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: dec(h), payload: dec(p) };
}

const REGISTER: Spec = { ok: 'boolean', user: USER_RESPONSE, accessToken: 'string', refreshToken: 'string', isFirstUser: 'boolean' };
/** A user created by an admin: the user only; the admin gets no tokens of theirs (a deliberate change from legacy). */
const REGISTER_BY_ADMIN: Spec = { ok: 'boolean', user: USER_RESPONSE, isFirstUser: 'boolean' };
const SESSION: Spec = { ok: 'boolean', user: USER_RESPONSE, accessToken: 'string', refreshToken: 'string' };

for (const [engine, phase] of conformanceMatrix()) {
  describe(`auth (API.md §1) on ${engine}/${phase}`, () => {
    let t: TestApp;
    let admin: { accessToken: string; refreshToken: string; user: { id: string } };
    const post = (url: string, payload?: unknown, headers: Record<string, string> = {}) =>
      t.app.inject({
        method: 'POST',
        url,
        payload: payload === undefined ? undefined : JSON.stringify(payload),
        headers: { 'content-type': 'application/json', ...headers },
      });
    const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

    beforeAll(async () => {
      t = await createTestApp({ engine, phase });
    });
    afterAll(async () => t?.close());

    it('GET /api/auth/status before anyone registered: {ok,configured,hasUsers,requiresSetup}', async () => {
      const body = expectOk(await get('/api/auth/status'));
      expectExactKeys(body, ['ok', 'configured', 'hasUsers', 'requiresSetup']);
      expect(body).toEqual({ ok: true, configured: true, hasUsers: false, requiresSetup: true });
    });

    it('POST /api/auth/register refuses a bad email and a weak password with the legacy bodies', async () => {
      for (const email of ['', 'no-at-sign', undefined]) {
        expectError(await post('/api/auth/register', { email, password: ADMIN_PASSWORD }), 400, 'Valid email is required', String(email));
      }
      const weak = await post('/api/auth/register', { email: 'weak@example.test', password: 'abc' });
      expectError(weak, 400, 'Password must be at least 8 characters long');
      expectShape(weak.json(), { errors: ['string'], strength: 'string' });
      expect(['weak', 'medium', 'strong']).toContain(weak.json().strength);
      expect(weak.json().errors[0]).toBe(weak.json().error);
    });

    it('POST /api/auth/register: the first user is the admin, 200 (not 201) with both tokens', async () => {
      const res = await post('/api/auth/register', { email: `  ${ADMIN_EMAIL}  `, password: ADMIN_PASSWORD, extra: 'ignored' });
      const body = expectOk(res);
      expectShape(body, REGISTER);
      expect(body.isFirstUser).toBe(true);
      expect(body.user).toMatchObject({ email: ADMIN_EMAIL, role: 'admin' });
      expect(body.user).not.toHaveProperty('passwordHash');
      expect((body.user as Record<string, unknown>).createdAt).toBe((body.user as Record<string, unknown>).updatedAt);
      admin = body as unknown as typeof admin;
      const status = expectOk(await get('/api/auth/status'));
      expect(status).toMatchObject({ hasUsers: true, requiresSetup: false });
    });

    it('issues legacy-format HS256 tokens: 15 min access, 7 day refresh, `sub` = the user id', () => {
      const access = jwtParts(admin.accessToken);
      expect(access.header).toEqual({ alg: 'HS256', typ: 'JWT' });
      expect(Object.keys(access.payload).slice(0, 5)).toEqual(['sub', 'email', 'role', 'iat', 'exp']);
      expect(access.payload).toMatchObject({ sub: admin.user.id, email: ADMIN_EMAIL, role: 'admin' });
      expect((access.payload.exp as number) - (access.payload.iat as number)).toBe(900);
      const refresh = jwtParts(admin.refreshToken);
      expect(refresh.header).toEqual({ alg: 'HS256', typ: 'JWT' });
      expect(refresh.payload.sub).toBe(admin.user.id);
      expect((refresh.payload.exp as number) - (refresh.payload.iat as number)).toBe(604800);
    });

    it('POST /api/auth/register after the first user: needs an admin, 409 on a case-insensitive duplicate', async () => {
      expectError(await post('/api/auth/register', { email: 'open@example.test', password: USER_PASSWORD }), 401, 'Authentication required');
      expectError(
        await post('/api/auth/register', { email: ADMIN_EMAIL.toUpperCase(), password: USER_PASSWORD }, bearer(admin.accessToken)),
        409,
        'Email already exists',
      );
      const body = expectOk(await post('/api/auth/register', { email: 'Member@Example.test', password: USER_PASSWORD }, bearer(admin.accessToken)));
      expectShape(body, REGISTER_BY_ADMIN);
      expect(body.isFirstUser).toBe(false);
      expect(body.user).toMatchObject({ email: 'Member@Example.test', role: 'user' });
    });

    it('POST /api/auth/login: trimmed, case-insensitive; `user` is the state before this login', async () => {
      expectError(await post('/api/auth/login', { email: ADMIN_EMAIL }), 400, 'Email and password are required');
      expectError(await post('/api/auth/login', { email: ADMIN_EMAIL, password: 'Wrong#Pass-2024' }), 401, 'Invalid credentials');
      expectError(await post('/api/auth/login', { email: 'nobody@example.test', password: ADMIN_PASSWORD }), 401, 'Invalid credentials');
      const first = expectOk(await post('/api/auth/login', { email: ` ${ADMIN_EMAIL.toUpperCase()} `, password: ADMIN_PASSWORD }));
      expectShape(first, SESSION);
      expect(first.user).not.toHaveProperty('lastLoginAt');
      const second = expectOk(await post('/api/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }));
      expectShape(second, SESSION);
      expect((second.user as { lastLoginAt: string }).lastLoginAt).toMatch(/Z$/);
      const me = expectOk(await get('/api/auth/me', bearer(second.accessToken as string)));
      expect((me.user as { lastLoginAt: string }).lastLoginAt >= (second.user as { lastLoginAt: string }).lastLoginAt).toBe(true);
    });

    it('GET /api/auth/me: {ok,user}; the legacy 401 messages for missing, malformed and bad tokens', async () => {
      const me = expectOk(await get('/api/auth/me', bearer(admin.accessToken)));
      expectExactKeys(me, ['ok', 'user']);
      expectShape(me.user, USER_RESPONSE, 'user');
      expect(me.user).toMatchObject({ id: admin.user.id, role: 'admin' });
      expectError(await get('/api/auth/me'), 401, 'Authentication required');
      expectError(await get('/api/auth/me', { authorization: `bearer ${admin.accessToken}` }), 401, 'Authentication required');
      expectError(await get('/api/auth/me', { authorization: 'Bearer not.a.token' }), 401, 'Invalid token');
      // README: a refresh token is never an access token.
      expectError(await get('/api/auth/me', bearer(admin.refreshToken)), 401, 'Invalid token');
    });

    it('POST /api/auth/refresh: the UI reload/401 loop gets a working pair; bad input has the legacy errors', async () => {
      expectError(await post('/api/auth/refresh', {}), 400, 'Refresh token is required');
      expectError(await post('/api/auth/refresh', { refreshToken: 'garbage' }), 401, 'Invalid refresh token');
      const login = expectOk(await post('/api/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }));
      const fresh = expectOk(await post('/api/auth/refresh', { refreshToken: login.refreshToken }));
      expectShape(fresh, SESSION);
      expect(fresh.user).toMatchObject({ id: admin.user.id });
      expect(fresh.refreshToken).not.toBe(login.refreshToken);
      expectOk(await get('/api/auth/me', bearer(fresh.accessToken as string)));
      // README: rotation. Within the grace window (MEDIAOS_REFRESH_GRACE_SECONDS) the replaced token answers the same new
      // pair (a reload or a second tab during a refresh); once the window is over it revokes the session (auth.refresh-reuse).
      const again = expectOk(await post('/api/auth/refresh', { refreshToken: login.refreshToken }));
      expect(again.refreshToken).toBe(fresh.refreshToken);
    });

    it('POST /api/auth/logout: the legacy answer with or without a token or body; the session ends', async () => {
      expect((await post('/api/auth/logout')).json()).toEqual({ ok: true, message: 'Logged out successfully' });
      const login = expectOk(await post('/api/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }));
      const out = await post('/api/auth/logout', undefined, bearer(login.accessToken as string));
      expect(out.statusCode).toBe(200);
      expect(out.json()).toEqual({ ok: true, message: 'Logged out successfully' });
      expect((await get('/api/auth/me', bearer(login.accessToken as string))).statusCode).toBe(401);
      expectOk(await get('/api/auth/me', bearer(admin.accessToken)));
    });
  });
}

describe('auth expiry as the legacy UI meets it (401 "Token expired" -> refresh -> retry)', () => {
  let t: TestApp;
  let now = Date.parse('2025-03-01T10:00:00.000Z');
  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date(now) });
  });
  afterAll(async () => t?.close());

  it('expires access tokens after 15 minutes and refresh tokens after 7 days, with the legacy messages', async () => {
    const reg = await t.app.inject({ method: 'POST', url: '/api/auth/register', payload: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
    const { accessToken, refreshToken } = expectOk(reg) as { accessToken: string; refreshToken: string };
    now += 900 * 1000; // still valid during its `exp` second
    expectOk(await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(accessToken) }));
    now += 1000;
    expectError(await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(accessToken) }), 401, 'Token expired');
    const fresh = expectOk(await t.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken } })) as {
      accessToken: string;
      refreshToken: string;
    };
    expectOk(await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(fresh.accessToken) }));
    now += 8 * 24 * 3600 * 1000;
    expectError(
      await t.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: fresh.refreshToken } }),
      401,
      'Refresh token expired. Please login again.',
    );
  });
});
