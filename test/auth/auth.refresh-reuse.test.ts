import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { signJwt } from '../../src/security/jwt.js';
import { sha256Hex } from '../../src/security/tokens.js';
import { TEST_JWT_SECRET } from '../helpers/app.js';
import { bearer, registerAdmin } from '../helpers/auth.js';
import { sqlEngines } from '../helpers/engines.js';
import { type AuthTestApp, authApp, seedLegacyUsers, VECTOR_USER } from './auth.fixtures.js';

/**
 * MEDIAOS_REFRESH_ROTATION=false: the v0.3 web UI keeps its first refresh token and presents it
 * again every 14 minutes (NOTES §1). With rotation that logs its users out; without, the same
 * token keeps working until it expires or the session is logged out.
 */
const phases = [...sqlEngines().map((e) => [e, 'db'] as const), [sqlEngines()[0], 'files'] as const];

describe('MEDIAOS_REFRESH_ROTATION', () => {
  it('defaults to rotation and accepts false', () => {
    expect(loadConfig({}, '/a').refreshRotation).toBe(true);
    expect(loadConfig({ MEDIAOS_REFRESH_ROTATION: 'false' }, '/a').refreshRotation).toBe(false);
    expect(() => loadConfig({ MEDIAOS_REFRESH_ROTATION: 'sometimes' }, '/a')).toThrow(/MEDIAOS_REFRESH_ROTATION/);
  });
});

for (const [engine, phase] of phases) {
  describe(`refresh without rotation (${engine}, ${phase})`, () => {
    let t: AuthTestApp;
    afterEach(async () => t?.close());
    const me = (token: string) => t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(token) });
    const refresh = (refreshToken: unknown) => t.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken } });
    const err = (res: { statusCode: number; json(): unknown }) => [res.statusCode, res.json()];

    it('keeps the presented refresh token working every 14 minutes, until logout', async () => {
      t = await authApp(engine, phase, { MEDIAOS_REFRESH_ROTATION: 'false' });
      const a = await registerAdmin(t.app);
      for (let i = 0; i < 3; i++) {
        t.clock.advance(14 * 60 * 1000);
        const r = await refresh(a.refreshToken);
        expect(r.statusCode).toBe(200);
        expect(Object.keys(r.json())).toEqual(['ok', 'user', 'accessToken', 'refreshToken']);
        expect(r.json().refreshToken).toBe(a.refreshToken);
        expect((await me(r.json().accessToken)).statusCode).toBe(200);
      }
      const sessionsOf = await t.ctx.stores.sessions.listForUser(a.user.id);
      expect(sessionsOf.map((s) => s.tokenHash)).toEqual([sha256Hex(a.refreshToken)]);
      // Real logout still ends the session: the kept refresh token is refused from then on.
      expect((await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(a.accessToken), payload: {} })).statusCode).toBe(200);
      expect(err(await refresh(a.refreshToken))).toEqual([401, { ok: false, error: 'Session revoked' }]);
    });

    it('still expires the refresh token after 7 days (no sliding window)', async () => {
      t = await authApp(engine, phase, { MEDIAOS_REFRESH_ROTATION: 'false' });
      const a = await registerAdmin(t.app);
      t.clock.advance(6 * 24 * 3600 * 1000);
      expect((await refresh(a.refreshToken)).statusCode).toBe(200);
      t.clock.advance(24 * 3600 * 1000 + 1000);
      expect(err(await refresh(a.refreshToken))).toEqual([401, { ok: false, error: 'Refresh token expired. Please login again.' }]);
    });

    it('accepts a legacy refresh token again and again for the session it opened; logout ends it', async () => {
      t = await authApp(engine, phase, { MEDIAOS_REFRESH_ROTATION: 'false' });
      await seedLegacyUsers(t, [VECTOR_USER]);
      const iat = Math.floor(t.clock.now().getTime() / 1000) - 3600;
      const legacyRefresh = signJwt({ sub: VECTOR_USER.id, iat, exp: iat + 604800 }, TEST_JWT_SECRET);
      const first = await refresh(legacyRefresh);
      expect(first.statusCode).toBe(200);
      t.clock.advance(14 * 60 * 1000);
      const again = await refresh(legacyRefresh);
      expect(again.statusCode).toBe(200);
      expect(again.json().refreshToken).toBe(legacyRefresh);
      expect((await me(again.json().accessToken)).statusCode).toBe(200);
      await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(again.json().accessToken), payload: {} });
      expect(err(await refresh(legacyRefresh))).toEqual([401, { ok: false, error: 'Session revoked' }]);
      expect((await me(first.json().accessToken)).statusCode).toBe(401);
    });

    it('with rotation (the default) the same pattern revokes the session once the grace window is over', async () => {
      t = await authApp(engine, phase);
      const a = await registerAdmin(t.app);
      expect((await refresh(a.refreshToken)).statusCode).toBe(200);
      t.clock.advance((t.ctx.config.refreshGraceSeconds + 1) * 1000);
      expect(err(await refresh(a.refreshToken))).toEqual([401, { ok: false, error: 'Session revoked' }]);
    });
  });
}
