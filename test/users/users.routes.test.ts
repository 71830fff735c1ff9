import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type AuthTestApp, authApp } from '../auth/auth.fixtures.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, bearer, registerAdmin, registerUser, USER_PASSWORD } from '../helpers/auth.js';
import { phaseMatrix } from '../helpers/matrix.js';

for (const [engine, phase] of phaseMatrix()) {
  describe(`user management (${engine}, ${phase})`, () => {
    let t: AuthTestApp | undefined;
    afterEach(async () => {
      await t?.close();
      t = undefined;
    });
    const inject = (method: 'GET' | 'PATCH' | 'POST', url: string, token?: string, payload?: object) =>
      t!.app.inject({ method, url, payload, headers: token ? bearer(token) : {} });
    const login = (email: string, password: string) => inject('POST', '/api/auth/login', undefined, { email, password });
    const me = (token: string) => inject('GET', '/api/auth/me', token);

    it('GET /api/users lists users for admins only', async () => {
      t = await authApp(engine, phase);
      const admin = await registerAdmin(t.app);
      const user = await registerUser(t.app, admin.accessToken, 'member@example.org');
      expect((await inject('GET', '/api/users')).statusCode).toBe(401);
      expect((await inject('GET', '/api/users', user.accessToken)).statusCode).toBe(403);
      const res = await inject('GET', '/api/users', admin.accessToken);
      expect(res.statusCode).toBe(200);
      expect(
        res
          .json()
          .users.map((u: { email: string; role: string }) => [u.email, u.role])
          .sort(),
      ).toEqual([
        [ADMIN_EMAIL, 'admin'],
        ['member@example.org', 'user'],
      ]);
      expect(JSON.stringify(res.json())).not.toContain('passwordHash');
    });

    it('PATCH /api/users/:id: admins change role, email and disabled; a user only their own email', async () => {
      t = await authApp(engine, phase);
      const admin = await registerAdmin(t.app);
      const user = await registerUser(t.app, admin.accessToken, 'member@example.org');
      const other = await registerUser(t.app, admin.accessToken, 'other@example.org');
      const id = user.user.id;

      // a user: own email yes; role/disabled or someone else's record no
      const own = await inject('PATCH', `/api/users/${id}`, user.accessToken, { email: 'renamed@example.org' });
      expect([own.statusCode, own.json().user.email]).toEqual([200, 'renamed@example.org']);
      const promote = await inject('PATCH', `/api/users/${id}`, user.accessToken, { role: 'admin' });
      expect([promote.statusCode, promote.json()]).toEqual([403, { ok: false, error: 'Insufficient permissions', message: 'only an admin may change role' }]);
      expect((await inject('PATCH', `/api/users/${other.user.id}`, user.accessToken, { email: 'x@example.org' })).statusCode).toBe(403);
      // bad input names the field and changes nothing
      const unknown = await inject('PATCH', `/api/users/${id}`, admin.accessToken, { rolle: 'admin' });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().error).toContain('rolle');
      const badRole = await inject('PATCH', `/api/users/${id}`, admin.accessToken, { role: 'root' });
      expect([badRole.statusCode, badRole.json().error]).toEqual([400, expect.stringMatching(/^role: /)]);
      const badEmail = await inject('PATCH', `/api/users/${id}`, admin.accessToken, { email: 'no-at' });
      expect([badEmail.statusCode, badEmail.json()]).toEqual([400, { ok: false, error: 'Valid email is required' }]);
      const dup = await inject('PATCH', `/api/users/${id}`, admin.accessToken, { email: 'OTHER@example.org' });
      expect([dup.statusCode, dup.json()]).toEqual([409, { ok: false, error: 'Email already exists' }]);
      expect((await inject('PATCH', '/api/users/nobody', admin.accessToken, { role: 'user' })).statusCode).toBe(404);

      // the admin makes them admin: the role takes effect on the next request
      const made = await inject('PATCH', `/api/users/${id}`, admin.accessToken, { role: 'admin' });
      expect(made.json().user).toMatchObject({ id, role: 'admin', email: 'renamed@example.org', updatedAt: user.user.updatedAt });
      expect((await inject('GET', '/api/users', user.accessToken)).statusCode).toBe(200);
      expect((await t.ctx.stores.users.getById(id))?.role).toBe('admin');
      if (phase !== 'db') {
        const onDisk = JSON.parse(readFileSync(join(t.configDir, 'users.json'), 'utf8'));
        expect(onDisk[id]).toMatchObject({ role: 'admin', email: 'renamed@example.org' });
      }
    });

    it('a disabled user cannot log in and their sessions end at once; enabling lets them log in again', async () => {
      t = await authApp(engine, phase);
      const admin = await registerAdmin(t.app);
      const user = await registerUser(t.app, admin.accessToken, 'member@example.org');
      const off = await inject('PATCH', `/api/users/${user.user.id}`, admin.accessToken, { disabled: true });
      expect(off.json().user).toMatchObject({ disabled: true });
      expect([(await me(user.accessToken)).statusCode, (await me(user.accessToken)).json().error]).toEqual([401, 'Session revoked']);
      const refresh = await inject('POST', '/api/auth/refresh', undefined, { refreshToken: user.refreshToken });
      expect(refresh.statusCode).toBe(401);
      const denied = await login('member@example.org', USER_PASSWORD);
      expect([denied.statusCode, denied.json()]).toEqual([403, { ok: false, error: 'Account disabled' }]);
      // kept in the record in every phase (users.json too, where the legacy server ignores it)
      expect((await t.ctx.stores.users.getById(user.user.id))?.disabled).toBe(true);
      if (phase !== 'db') expect(JSON.parse(readFileSync(join(t.configDir, 'users.json'), 'utf8'))[user.user.id].disabled).toBe(true);
      const on = await inject('PATCH', `/api/users/${user.user.id}`, admin.accessToken, { disabled: false });
      expect(on.json().user).not.toHaveProperty('disabled');
      expect((await login('member@example.org', USER_PASSWORD)).statusCode).toBe(200);
    });

    it('the last enabled admin can be neither demoted nor disabled', async () => {
      t = await authApp(engine, phase);
      const admin = await registerAdmin(t.app);
      const user = await registerUser(t.app, admin.accessToken, 'member@example.org');
      for (const change of [{ role: 'user' }, { disabled: true }]) {
        const r = await inject('PATCH', `/api/users/${admin.user.id}`, admin.accessToken, change);
        expect([r.statusCode, r.json().error]).toEqual([409, 'last_admin']);
      }
      // a disabled admin does not count
      await inject('PATCH', `/api/users/${user.user.id}`, admin.accessToken, { role: 'admin', disabled: true });
      expect((await inject('PATCH', `/api/users/${admin.user.id}`, admin.accessToken, { role: 'user' })).statusCode).toBe(409);
      await inject('PATCH', `/api/users/${user.user.id}`, admin.accessToken, { disabled: false });
      const demoted = await inject('PATCH', `/api/users/${admin.user.id}`, admin.accessToken, { role: 'user' });
      expect([demoted.statusCode, demoted.json().user.role]).toEqual([200, 'user']);
    });

    it('POST /api/auth/password: needs the current password, applies the policy, revokes the other sessions', async () => {
      t = await authApp(engine, phase);
      const admin = await registerAdmin(t.app);
      const user = await registerUser(t.app, admin.accessToken, 'member@example.org');
      const second = (await login('member@example.org', USER_PASSWORD)).json();
      const change = (payload: object) => inject('POST', '/api/auth/password', user.accessToken, payload);
      expect((await inject('POST', '/api/auth/password', undefined, { currentPassword: USER_PASSWORD, newPassword: 'Next#Pass-2025' })).statusCode).toBe(401);
      const missing = await change({ newPassword: 'Next#Pass-2025' });
      expect([missing.statusCode, missing.json().error]).toEqual([400, expect.stringContaining('currentPassword')]);
      const wrong = await change({ currentPassword: 'Wrong#Pass-2024', newPassword: 'Next#Pass-2025' });
      expect([wrong.statusCode, wrong.json()]).toEqual([401, { ok: false, error: 'Invalid credentials' }]);
      const weak = await change({ currentPassword: USER_PASSWORD, newPassword: 'short' });
      expect([weak.statusCode, weak.json().strength]).toEqual([400, 'weak']);
      expect((await login('member@example.org', USER_PASSWORD)).statusCode).toBe(200); // nothing changed so far

      t.clock.advance(1000);
      const ok = await change({ currentPassword: USER_PASSWORD, newPassword: 'Next#Pass-2025' });
      expect(ok.statusCode).toBe(200);
      expect(ok.json().user.updatedAt).toBe(t.clock.now().toISOString());
      expect(JSON.stringify(ok.json())).not.toContain('Next#Pass');
      expect((await me(user.accessToken)).statusCode).toBe(200); // this session stays
      expect((await me(second.accessToken)).json().error).toBe('Session revoked');
      expect((await login('member@example.org', USER_PASSWORD)).statusCode).toBe(401);
      expect((await login('member@example.org', 'Next#Pass-2025')).statusCode).toBe(200);
      expect((await login(ADMIN_EMAIL, ADMIN_PASSWORD)).statusCode).toBe(200);
      if (phase !== 'db') expect(existsSync(join(t.configDir, 'users.json'))).toBe(true);
    });
  });
}
