import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_INDEXED_BYTES } from '../../src/db/indexed-limit.js';
import { ADMIN_PASSWORD, bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import { phaseMatrix } from '../helpers/matrix.js';
import { type AuthTestApp, authApp } from './auth.fixtures.js';

for (const [engine, phase] of phaseMatrix()) {
  describe(`register and status (${engine}, ${phase})`, () => {
    let t: AuthTestApp;
    afterEach(async () => t?.close());

    const register = (payload: object, headers: Record<string, string> = {}) => t.app.inject({ method: 'POST', url: '/api/auth/register', payload, headers });
    const status = async () => (await t.app.inject({ method: 'GET', url: '/api/auth/status' })).json();

    it('makes the first user admin without a token and reports setup status', async () => {
      t = await authApp(engine, phase);
      expect(await status()).toEqual({ ok: true, configured: true, hasUsers: false, requiresSetup: true });
      const res = await register({ email: '  First@Example.org ', password: ADMIN_PASSWORD });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(Object.keys(body)).toEqual(['ok', 'user', 'accessToken', 'refreshToken', 'isFirstUser']);
      expect(body.isFirstUser).toBe(true);
      expect(body.user).toEqual({
        id: expect.stringMatching(/^user_\d{13}_[0-9a-z]{1,9}$/),
        email: 'First@Example.org',
        role: 'admin',
        createdAt: t.clock.now().toISOString(),
        updatedAt: t.clock.now().toISOString(),
      });
      expect(await status()).toEqual({ ok: true, configured: true, hasUsers: true, requiresSetup: false });
      const stored = await t.ctx.stores.users.getById(body.user.id);
      if (phase === 'db') expect(stored?.passwordHash.startsWith('$argon2id$')).toBe(true);
      else expect(stored?.passwordHash).toMatch(/^[0-9a-f]{32}:[0-9a-f]{128}$/);
    });

    it('needs an admin token after the first user (403 for a user, 401 without)', async () => {
      t = await authApp(engine, phase);
      const admin = await registerAdmin(t.app);
      const none = await register({ email: 'x@example.org', password: 'Other#Pass1' });
      expect([none.statusCode, none.json()]).toEqual([401, { ok: false, error: 'Authentication required' }]);
      const user = await registerUser(t.app, admin.accessToken, 'member@example.org');
      expect(user.user.role).toBe('user');
      const denied = await register({ email: 'y@example.org', password: 'Other#Pass1' }, bearer(user.accessToken));
      expect([denied.statusCode, denied.json()]).toEqual([403, { ok: false, error: 'Insufficient permissions' }]);
      const ok = await register({ email: 'y@example.org', password: 'Other#Pass1' }, bearer(admin.accessToken));
      expect(ok.statusCode).toBe(200);
      // the admin gets the created user only, never that user's tokens
      expect(Object.keys(ok.json())).toEqual(['ok', 'user', 'isFirstUser']);
      expect(ok.json()).toEqual({ ok: true, user: expect.objectContaining({ email: 'y@example.org', role: 'user' }), isFirstUser: false });
      expect(await t.ctx.stores.sessions.listForUser(ok.json().user.id)).toEqual([]);
    });

    it('allows self-registration only with open registration', async () => {
      t = await authApp(engine, phase, { MEDIAOS_OPEN_REGISTRATION: 'true' });
      const admin = await registerAdmin(t.app);
      const res = await register({ email: 'self@example.org', password: 'Other#Pass1' });
      expect(res.statusCode).toBe(200);
      expect(res.json().user.role).toBe('user');
      expect(res.json().accessToken).toEqual(expect.any(String));
      // an admin creating someone under open registration still gets no tokens of theirs
      const byAdmin = await register({ email: 'made@example.org', password: 'Other#Pass1' }, bearer(admin.accessToken));
      expect(Object.keys(byAdmin.json())).toEqual(['ok', 'user', 'isFirstUser']);
      // a bad token under open registration is self-registration, as before
      const stale = await register({ email: 'stale@example.org', password: 'Other#Pass1' }, bearer('nonsense'));
      expect(stale.json().accessToken).toEqual(expect.any(String));
    });

    it('validates email and password policy, and refuses duplicates case-insensitively', async () => {
      t = await authApp(engine, phase);
      for (const email of [undefined, '', '   ', 'no-at-sign', 42]) {
        const r = await register({ email, password: ADMIN_PASSWORD });
        expect([r.statusCode, r.json()]).toEqual([400, { ok: false, error: 'Valid email is required' }]);
      }
      const weak = await register({ email: 'a@example.org', password: 'short' });
      expect(weak.statusCode).toBe(400);
      const w = weak.json();
      expect(w.ok).toBe(false);
      expect(w.error).toBe(w.errors[0]);
      expect(w.errors.length).toBeGreaterThan(1);
      expect(w.strength).toBe('weak');
      expect((await register({ email: 'a@example.org', password: 'P@ssw0rd1' })).statusCode).toBe(400);
      expect(await status()).toMatchObject({ hasUsers: false });

      const admin = await registerAdmin(t.app);
      const dup = await register({ email: admin.user.email.toUpperCase(), password: 'Other#Pass1' }, bearer(admin.accessToken));
      expect([dup.statusCode, dup.json()]).toEqual([409, { ok: false, error: 'Email already exists' }]);
    });

    it('refuses an email longer than its unique index holds (400 naming the field, nothing stored)', async () => {
      t = await authApp(engine, phase);
      const email = `${randomBytes(1400).toString('hex')}@example.org`; // PostgreSQL answered 500
      const r = await register({ email, password: ADMIN_PASSWORD });
      expect([r.statusCode, r.json()]).toEqual([
        400,
        { ok: false, error: `email: must be at most ${MAX_INDEXED_BYTES} bytes long in UTF-8 (it is ${email.length})` },
      ]);
      expect(await status()).toMatchObject({ hasUsers: false });
    });

    it('makes only one admin when two first registrations race', async () => {
      t = await authApp(engine, phase, { MEDIAOS_OPEN_REGISTRATION: 'true' });
      const [a, b] = await Promise.all([
        register({ email: 'a@example.org', password: ADMIN_PASSWORD }),
        register({ email: 'b@example.org', password: ADMIN_PASSWORD }),
      ]);
      expect([a.json().user.role, b.json().user.role].sort()).toEqual(['admin', 'user']);
      expect([a.json().isFirstUser, b.json().isFirstUser].sort()).toEqual([false, true]);
    });
  });
}
