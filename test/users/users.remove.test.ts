import { afterEach, describe, expect, it } from 'vitest';
import { type AuthTestApp, authApp } from '../auth/auth.fixtures.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, bearer, registerAdmin, registerUser, USER_PASSWORD } from '../helpers/auth.js';
import { phaseMatrix } from '../helpers/matrix.js';

for (const [engine, phase] of phaseMatrix()) {
  describe(`removing users and their sessions (${engine}, ${phase})`, () => {
    let t: AuthTestApp | undefined;
    afterEach(async () => {
      await t?.close();
      t = undefined;
    });
    const inject = (method: 'GET' | 'POST' | 'DELETE', url: string, token?: string, payload?: object) =>
      t!.app.inject({ method, url, payload, headers: token ? bearer(token) : {} });
    const me = (token: string) => inject('GET', '/api/auth/me', token);

    it('DELETE /api/users/:id removes the user and ends their sessions; admins only', async () => {
      t = await authApp(engine, phase);
      const admin = await registerAdmin(t.app);
      const user = await registerUser(t.app, admin.accessToken, 'leaving@example.org');
      expect((await inject('DELETE', `/api/users/${user.user.id}`)).statusCode).toBe(401);
      expect((await inject('DELETE', `/api/users/${admin.user.id}`, user.accessToken)).statusCode).toBe(403);
      const res = await inject('DELETE', `/api/users/${user.user.id}`, admin.accessToken);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ ok: true, user: { id: user.user.id, email: 'leaving@example.org' } });
      expect(JSON.stringify(res.json())).not.toContain('passwordHash');
      expect((await me(user.accessToken)).statusCode).toBe(401);
      const list = (await inject('GET', '/api/users', admin.accessToken)).json();
      expect(list.users.map((u: { email: string }) => u.email)).toEqual([ADMIN_EMAIL]);
      const again = await inject('DELETE', `/api/users/${user.user.id}`, admin.accessToken);
      expect([again.statusCode, again.json().error]).toEqual([404, 'not_found']);
    });

    it('refuses to remove oneself (409), changing nothing; another admin may remove a disabled admin', async () => {
      t = await authApp(engine, phase);
      const admin = await registerAdmin(t.app);
      const self = await inject('DELETE', `/api/users/${admin.user.id}`, admin.accessToken);
      expect([self.statusCode, self.json().error]).toEqual([409, 'cannot_remove_self']);
      expect((await me(admin.accessToken)).statusCode).toBe(200);
      const other = await registerUser(t.app, admin.accessToken, 'second@example.org');
      await t.app.inject({ method: 'PATCH', url: `/api/users/${other.user.id}`, headers: bearer(admin.accessToken), payload: { role: 'admin' } });
      await t.app.inject({ method: 'PATCH', url: `/api/users/${admin.user.id}`, headers: bearer(admin.accessToken), payload: { disabled: true } });
      const second = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'second@example.org', password: USER_PASSWORD } });
      const token = second.json().accessToken as string;
      expect((await inject('DELETE', `/api/users/${admin.user.id}`, token)).statusCode).toBe(200);
      expect((await inject('GET', '/api/users', token)).json().users).toHaveLength(1);
      expect((await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } })).statusCode).toBe(401);
    });

    it('POST /api/users/:id/sessions/revoke ends every session of the user', async () => {
      t = await authApp(engine, phase);
      const admin = await registerAdmin(t.app);
      const user = await registerUser(t.app, admin.accessToken, 'tabs@example.org');
      const second = (await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'tabs@example.org', password: USER_PASSWORD } })).json();
      expect((await inject('POST', `/api/users/${user.user.id}/sessions/revoke`, user.accessToken)).statusCode).toBe(403);
      const res = await inject('POST', `/api/users/${user.user.id}/sessions/revoke`, admin.accessToken);
      expect(res.json()).toEqual({ ok: true, revoked: 2 });
      expect((await me(user.accessToken)).statusCode).toBe(401);
      expect((await me(second.accessToken)).statusCode).toBe(401);
      expect((await me(admin.accessToken)).statusCode).toBe(200);
      expect((await inject('POST', '/api/users/nobody/sessions/revoke', admin.accessToken)).statusCode).toBe(404);
    });
  });
}
