import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { withStores } from '../helpers/app.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, bearer, registerAdmin } from '../helpers/auth.js';
import { sqlEngines } from '../helpers/engines.js';
import { type AuthTestApp, authApp } from './auth.fixtures.js';

const sidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sid as string;

for (const engine of sqlEngines()) {
  describe(`refresh rotation grace window (${engine})`, () => {
    let t: AuthTestApp;
    afterEach(async () => t?.close());

    const refresh = (refreshToken: string, app = t.app) => app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken } });
    const me = (token: string) => t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(token) });

    it('answers the token just replaced with the same new pair within the window; the session stays', async () => {
      t = await authApp(engine, 'db');
      const a = await registerAdmin(t.app);
      const r1 = await refresh(a.refreshToken);
      expect(r1.statusCode).toBe(200);
      t.clock.advance(9_000);
      const again = await refresh(a.refreshToken); // a second tab, or a reload during the refresh
      expect(again.statusCode).toBe(200);
      expect(again.json().refreshToken).toBe(r1.json().refreshToken);
      expect(again.json().accessToken).toBe(r1.json().accessToken);
      expect(again.json().user.id).toBe(a.user.id);
      const session = await t.ctx.stores.sessions.get(sidOf(a.accessToken));
      expect(session?.revokedAt).toBeUndefined();
      expect((await me(again.json().accessToken)).statusCode).toBe(200);
      // The new token keeps rotating normally.
      const r2 = await refresh(r1.json().refreshToken);
      expect(r2.statusCode).toBe(200);
      expect(r2.json().refreshToken).not.toBe(r1.json().refreshToken);
    });

    it('two refreshes racing with the same token both get the one new pair', async () => {
      t = await authApp(engine, 'db');
      const a = await registerAdmin(t.app);
      const answers = await Promise.all([refresh(a.refreshToken), refresh(a.refreshToken), refresh(a.refreshToken)]);
      expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 200]);
      expect(new Set(answers.map((r) => r.json().refreshToken)).size).toBe(1);
      expect((await t.ctx.stores.sessions.get(sidOf(a.accessToken)))?.revokedAt).toBeUndefined();
    });

    it('still revokes the session on reuse after the window, and for a token two rotations old', async () => {
      t = await authApp(engine, 'db');
      const a = await registerAdmin(t.app);
      const r1 = (await refresh(a.refreshToken)).json();
      t.clock.advance(10_001);
      const late = await refresh(a.refreshToken);
      expect([late.statusCode, late.json()]).toEqual([401, { ok: false, error: 'Session revoked' }]);
      expect((await t.ctx.stores.sessions.get(sidOf(a.accessToken)))?.revokeReason).toBe('refresh_reuse');
      expect((await me(r1.accessToken)).statusCode).toBe(401);

      const b = (await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } })).json();
      const b1 = (await refresh(b.refreshToken)).json();
      const b2 = await refresh(b1.refreshToken);
      expect(b2.statusCode).toBe(200);
      // Within the window, but not the token just replaced: the oldest one is reuse.
      const old = await refresh(b.refreshToken);
      expect(old.statusCode).toBe(401);
      expect((await t.ctx.stores.sessions.get(sidOf(b.accessToken)))?.revokeReason).toBe('refresh_reuse');
    });

    it('MEDIAOS_REFRESH_GRACE_SECONDS=0 turns the window off', async () => {
      t = await authApp(engine, 'db', { MEDIAOS_REFRESH_GRACE_SECONDS: '0' });
      const a = await registerAdmin(t.app);
      expect((await refresh(a.refreshToken)).statusCode).toBe(200);
      expect((await refresh(a.refreshToken)).statusCode).toBe(401);
      expect((await t.ctx.stores.sessions.get(sidOf(a.accessToken)))?.revokeReason).toBe('refresh_reuse');
    });

    it('works across server processes: the window lives in the session row, not in memory', async () => {
      t = await authApp(engine, 'db');
      const a = await registerAdmin(t.app);
      // A second server on the same database, with its own services (nothing shared in memory).
      const other = await buildApp(withStores(t.ctx, {}));
      try {
        const r1 = await refresh(a.refreshToken, t.app);
        t.clock.advance(3_000);
        const r2 = await refresh(a.refreshToken, other);
        expect(r2.statusCode).toBe(200);
        expect(r2.json().refreshToken).toBe(r1.json().refreshToken);
      } finally {
        await other.close();
      }
    });
  });
}
