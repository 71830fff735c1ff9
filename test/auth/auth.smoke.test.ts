import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import { phaseMatrix } from '../helpers/matrix.js';

for (const [engine, phase] of phaseMatrix()) {
  describe(`auth helpers (${engine}, ${phase})`, () => {
    let t: TestApp;
    afterEach(async () => t?.close());

    it('registers an admin and a user whose tokens work on /api/auth/me', async () => {
      t = await createTestApp({ engine, phase });
      const admin = await registerAdmin(t.app);
      expect(admin.user.role).toBe('admin');
      const user = await registerUser(t.app, admin.accessToken);
      expect(user.user.role).toBe('user');
      const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(user.accessToken) });
      expect(me.statusCode).toBe(200);
      // the helper logged the user in (an admin's registration answers no tokens): lastLoginAt is set
      expect(me.json()).toEqual({ ok: true, user: { ...user.user, lastLoginAt: expect.any(String) } });
    });
  });
}
