import { afterEach, describe, expect, it } from 'vitest';
import { signJwt } from '../../src/security/jwt.js';
import { sha256Hex } from '../../src/security/tokens.js';
import { TEST_JWT_SECRET } from '../helpers/app.js';
import { bearer, registerAdmin } from '../helpers/auth.js';
import { phaseMatrix } from '../helpers/matrix.js';
import { type AuthTestApp, authApp, seedLegacyUsers, VECTOR_USER } from './auth.fixtures.js';

for (const [engine, phase] of phaseMatrix()) {
  describe(`sessions and tokens (${engine}, ${phase})`, () => {
    let t: AuthTestApp;
    afterEach(async () => t?.close());

    const me = (token: string) => t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(token) });
    const refresh = (refreshToken: unknown) => t.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken } });
    const logout = (headers: Record<string, string>, payload: object = {}) => t.app.inject({ method: 'POST', url: '/api/auth/logout', headers, payload });
    const err = (res: { statusCode: number; json(): unknown }) => [res.statusCode, res.json()];

    it('after logout the old access and refresh tokens get 401', async () => {
      t = await authApp(engine, phase);
      const a = await registerAdmin(t.app);
      expect((await me(a.accessToken)).statusCode).toBe(200);
      const out = await logout(bearer(a.accessToken));
      expect(out.statusCode).toBe(200);
      expect(out.json()).toEqual({ ok: true, message: 'Logged out successfully' });
      expect(err(await me(a.accessToken))).toEqual([401, { ok: false, error: 'Session revoked' }]);
      expect(err(await refresh(a.refreshToken))).toEqual([401, { ok: false, error: 'Session revoked' }]);
    });

    it('logs out with {refreshToken} in the body, and answers 200 whatever it is given', async () => {
      t = await authApp(engine, phase);
      const a = await registerAdmin(t.app);
      expect((await logout({}, { refreshToken: a.refreshToken })).statusCode).toBe(200);
      expect((await me(a.accessToken)).statusCode).toBe(401);
      expect((await logout({})).statusCode).toBe(200);
      expect((await logout({ authorization: 'Bearer junk' }, { refreshToken: 'junk' })).statusCode).toBe(200);
    });

    it('rotates on refresh; an older refresh token revokes the whole session', async () => {
      t = await authApp(engine, phase);
      const a = await registerAdmin(t.app);
      const r1 = await refresh(a.refreshToken);
      expect(r1.statusCode).toBe(200);
      const p1 = r1.json();
      expect(Object.keys(p1)).toEqual(['ok', 'user', 'accessToken', 'refreshToken']);
      expect(p1.refreshToken).not.toBe(a.refreshToken);
      const session = await t.ctx.stores.sessions.get(JSON.parse(Buffer.from(p1.accessToken.split('.')[1], 'base64url').toString()).sid);
      expect(session?.tokenHash).toBe(sha256Hex(p1.refreshToken));
      expect((await me(p1.accessToken)).statusCode).toBe(200);

      // The first refresh token again, after the grace window (auth.refresh-grace.test.ts): reuse.
      t.clock.advance(11_000);
      expect(err(await refresh(a.refreshToken))).toEqual([401, { ok: false, error: 'Session revoked' }]);
      expect((await t.ctx.stores.sessions.get(session!.id))?.revokeReason).toBe('refresh_reuse');
      expect(err(await me(p1.accessToken))).toEqual([401, { ok: false, error: 'Session revoked' }]);
      expect((await refresh(p1.refreshToken)).statusCode).toBe(401);
      // Other sessions of the same user are untouched.
      const other = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: a.user.email, password: 'Admin#Pass-2024' } });
      expect((await me(other.json().accessToken)).statusCode).toBe(200);
    });

    it('refuses a refresh token as Bearer and an access token at /refresh', async () => {
      t = await authApp(engine, phase);
      const a = await registerAdmin(t.app);
      expect(err(await me(a.refreshToken))).toEqual([401, { ok: false, error: 'Invalid token' }]);
      expect(err(await refresh(a.accessToken))).toEqual([401, { ok: false, error: 'Invalid refresh token' }]);
      expect(err(await refresh(undefined))).toEqual([400, { ok: false, error: 'Refresh token is required' }]);
      expect(err(await refresh('a.b.c'))).toEqual([401, { ok: false, error: 'Invalid refresh token' }]);
    });

    it('expires access tokens after 15 minutes; refresh still works, then expires after 7 days', async () => {
      t = await authApp(engine, phase);
      const a = await registerAdmin(t.app);
      t.clock.advance(15 * 60 * 1000); // still valid during its exp second (legacy rule)
      expect((await me(a.accessToken)).statusCode).toBe(200);
      t.clock.advance(1000);
      expect(err(await me(a.accessToken))).toEqual([401, { ok: false, error: 'Token expired' }]);
      const r = await refresh(a.refreshToken);
      expect(r.statusCode).toBe(200);
      expect((await me(r.json().accessToken)).statusCode).toBe(200);
      t.clock.advance(7 * 24 * 3600 * 1000 + 1000);
      expect(err(await refresh(r.json().refreshToken))).toEqual([401, { ok: false, error: 'Refresh token expired. Please login again.' }]);
    });

    it('checks the header exactly and the signature', async () => {
      t = await authApp(engine, phase);
      const a = await registerAdmin(t.app);
      const required = [401, { ok: false, error: 'Authentication required' }];
      expect(err(await t.app.inject({ method: 'GET', url: '/api/auth/me' }))).toEqual(required);
      expect(err(await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `bearer ${a.accessToken}` } }))).toEqual(required);
      expect(err(await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: 'Bearer ' } }))).toEqual(required);
      expect(err(await me('garbage'))).toEqual([401, { ok: false, error: 'Invalid token' }]);
      const [h, p] = a.accessToken.split('.');
      const forged = `${h}.${p}.${signJwt({ x: 1 }, 'another-secret-0123456789-0123456789').split('.')[2]}`;
      expect(err(await me(forged))).toEqual([401, { ok: false, error: 'Invalid token' }]);
    });

    it('answers "User not found" once the user is gone', async () => {
      t = await authApp(engine, phase);
      await seedLegacyUsers(t, [VECTOR_USER]);
      const l = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: VECTOR_USER.email, password: 'Example#Pass1' } });
      await t.ctx.stores.users.remove(VECTOR_USER.id);
      expect(err(await me(l.json().accessToken))).toEqual([401, { ok: false, error: 'User not found' }]);
      // Where sessions cascade with the user (database) the session is gone too; either way: 401.
      const r = await refresh(l.json().refreshToken);
      expect(r.statusCode).toBe(401);
      expect(['Session revoked', 'Invalid token']).toContain(r.json().error);
    });

    it('exchanges a legacy refresh token once; rejects legacy tokens as Bearer', async () => {
      t = await authApp(engine, phase);
      await seedLegacyUsers(t, [VECTOR_USER]);
      const iat = Math.floor(t.clock.now().getTime() / 1000) - 3600;
      const legacyAccess = signJwt({ sub: VECTOR_USER.id, email: VECTOR_USER.email, role: 'admin', iat, exp: iat + 900 + 3600 }, TEST_JWT_SECRET);
      const legacyRefresh = signJwt({ sub: VECTOR_USER.id, iat, exp: iat + 604800 }, TEST_JWT_SECRET);
      expect(err(await me(legacyAccess))).toEqual([401, { ok: false, error: 'Invalid token' }]);
      expect(err(await me(legacyRefresh))).toEqual([401, { ok: false, error: 'Invalid token' }]);
      expect(err(await refresh(legacyAccess))).toEqual([401, { ok: false, error: 'Invalid refresh token' }]);

      const ex = await refresh(legacyRefresh);
      expect(ex.statusCode).toBe(200);
      expect(ex.json().user.id).toBe(VECTOR_USER.id);
      const next = ex.json();
      expect((await me(next.accessToken)).statusCode).toBe(200);
      // Twice: reuse. The session made from it is revoked.
      expect(err(await refresh(legacyRefresh))).toEqual([401, { ok: false, error: 'Session revoked' }]);
      expect((await me(next.accessToken)).statusCode).toBe(401);
      expect((await refresh(next.refreshToken)).statusCode).toBe(401);
    });
  });
}
