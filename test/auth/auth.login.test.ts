import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createUsersSql } from '../../src/users/users.sql.js';
import { ADMIN_PASSWORD, bearer, registerAdmin } from '../helpers/auth.js';
import { phaseMatrix } from '../helpers/matrix.js';
import { type AuthTestApp, authApp, seedLegacyUsers, signatureOf, VECTOR_PASSWORD, VECTOR_USER } from './auth.fixtures.js';

for (const [engine, phase] of phaseMatrix()) {
  describe(`login (${engine}, ${phase})`, () => {
    let t: AuthTestApp;
    afterEach(async () => t?.close());

    const login = (email: string, password: string, remoteAddress = '10.0.0.1') =>
      t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password }, remoteAddress });

    it('logs the FORMATS §2.1 test-vector user in, answering with the user as it was before', async () => {
      t = await authApp(engine, phase);
      await seedLegacyUsers(t, [VECTOR_USER]);
      const res = await login('  owner@example.ORG ', VECTOR_PASSWORD);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(Object.keys(body)).toEqual(['ok', 'user', 'accessToken', 'refreshToken']);
      expect(body.user).toEqual({
        id: VECTOR_USER.id,
        email: VECTOR_USER.email,
        role: 'admin',
        createdAt: VECTOR_USER.createdAt,
        updatedAt: VECTOR_USER.updatedAt,
        lastLoginAt: VECTOR_USER.lastLoginAt,
      });
      const stored = await t.ctx.stores.users.getById(VECTOR_USER.id);
      expect(stored?.lastLoginAt).toBe(t.clock.now().toISOString());
      expect(stored?.updatedAt).toBe(VECTOR_USER.updatedAt);

      // The access token carries the legacy claims in legacy order, then sid and typ.
      const payload = JSON.parse(Buffer.from(body.accessToken.split('.')[1], 'base64url').toString());
      expect(Object.keys(payload)).toEqual(['sub', 'email', 'role', 'iat', 'exp', 'sid', 'typ']);
      expect(payload.exp - payload.iat).toBe(900);

      const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(body.accessToken) });
      expect(me.json().user.lastLoginAt).toBe(t.clock.now().toISOString());

      t.clock.advance(60_000);
      const second = await login(VECTOR_USER.email, VECTOR_PASSWORD);
      expect(second.json().user.lastLoginAt).toBe(new Date(t.clock.now().getTime() - 60_000).toISOString());
    });

    it('rehashes a legacy hash to argon2id on login only in phase db', async () => {
      t = await authApp(engine, phase);
      await seedLegacyUsers(t, [VECTOR_USER]);
      expect((await login(VECTOR_USER.email, VECTOR_PASSWORD)).statusCode).toBe(200);
      const stored = await t.ctx.stores.users.getById(VECTOR_USER.id);
      if (phase === 'db') expect(stored?.passwordHash.startsWith('$argon2id$')).toBe(true);
      else expect(stored?.passwordHash).toBe(VECTOR_USER.passwordHash);
      expect((await login(VECTOR_USER.email, VECTOR_PASSWORD)).statusCode).toBe(200);
      expect((await login(VECTOR_USER.email, 'Example#Pass2')).statusCode).toBe(401);
    });

    it('answers a wrong password and an unknown email alike', async () => {
      t = await authApp(engine, phase);
      await seedLegacyUsers(t, [VECTOR_USER]);
      const wrong = await login(VECTOR_USER.email, 'Wrong#Pass1');
      const unknown = await login('nobody@example.org', 'Wrong#Pass1');
      expect(wrong.statusCode).toBe(401);
      expect(unknown.statusCode).toBe(401);
      expect(wrong.json()).toEqual({ ok: false, error: 'Invalid credentials' });
      expect(unknown.body).toBe(wrong.body);
      const missing = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'a@b.c' } });
      expect(missing.statusCode).toBe(400);
      expect(missing.json()).toEqual({ ok: false, error: 'Email and password are required' });
      const typed = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 1, password: ['x'] } });
      expect(typed.json()).toEqual({ ok: false, error: 'Email and password are required' });
    });

    it('limits failed logins per (email, IP) and per IP, with retry-after, until the window passes', async () => {
      t = await authApp(engine, phase, { MEDIAOS_LOGIN_RATE_LIMIT: '3' });
      await seedLegacyUsers(t, [VECTOR_USER]);
      for (let i = 0; i < 3; i++) expect((await login(VECTOR_USER.email, 'Wrong#Pass1', '10.6.6.6')).statusCode).toBe(401);
      // Per (email, IP): the guessing address is refused, even with the right password.
      const limited = await login(VECTOR_USER.email, VECTOR_PASSWORD, '10.6.6.6');
      expect(limited.statusCode).toBe(429);
      expect(limited.json()).toEqual({ ok: false, error: 'Too many login attempts. Try again later.' });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // ... but the account's owner elsewhere is not locked out by it.
      expect((await login(VECTOR_USER.email, VECTOR_PASSWORD, '10.0.0.9')).statusCode).toBe(200);
      // Per IP: one address spraying emails gets LOGIN_IP_FACTOR (5) times the budget.
      for (let i = 0; i < 15; i++) expect((await login(`x${i}@example.org`, 'Wrong#Pass1', '10.9.9.9')).statusCode).toBe(401);
      expect((await login('other@example.org', 'Wrong#Pass1', '10.9.9.9')).statusCode).toBe(429);
      t.clock.advance(15 * 60 * 1000 + 1000);
      expect((await login(VECTOR_USER.email, VECTOR_PASSWORD, '10.6.6.6')).statusCode).toBe(200);
      expect((await login('other@example.org', 'Wrong#Pass1', '10.9.9.9')).statusCode).toBe(401);
    });

    it('counts each client behind a trusted proxy (TRUST_PROXY) by its X-Forwarded-For address', async () => {
      t = await authApp(engine, phase, { MEDIAOS_LOGIN_RATE_LIMIT: '3', TRUST_PROXY: '127.0.0.1' });
      await seedLegacyUsers(t, [VECTOR_USER]);
      const viaProxy = (password: string, client: string, remoteAddress = '127.0.0.1') =>
        t.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { email: VECTOR_USER.email, password },
          remoteAddress,
          headers: { 'x-forwarded-for': client },
        });
      for (let i = 0; i < 20; i++) expect((await viaProxy('Wrong#Pass1', '203.0.113.66')).statusCode).toBe(i < 3 ? 401 : 429);
      // Everyone else behind the same proxy still logs in.
      expect((await viaProxy(VECTOR_PASSWORD, '198.51.100.7')).statusCode).toBe(200);
      // X-Forwarded-For from an address that is not the trusted proxy is ignored: counted as that address.
      for (let i = 0; i < 3; i++) expect((await viaProxy('Wrong#Pass1', `192.0.2.${i}`, '10.1.1.1')).statusCode).toBe(401);
      expect((await viaProxy(VECTOR_PASSWORD, '192.0.2.99', '10.1.1.1')).statusCode).toBe(429);
    });

    it('takes a hop count for TRUST_PROXY: the address the nearest proxy saw', async () => {
      t = await authApp(engine, phase, { MEDIAOS_LOGIN_RATE_LIMIT: '3', TRUST_PROXY: '1' });
      await seedLegacyUsers(t, [VECTOR_USER]);
      const viaProxy = (password: string, forwarded: string) =>
        t.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { email: VECTOR_USER.email, password },
          remoteAddress: '10.2.2.2',
          headers: { 'x-forwarded-for': forwarded },
        });
      // A client-supplied first entry does not help: the proxy appended the real address last.
      for (let i = 0; i < 3; i++) expect((await viaProxy('Wrong#Pass1', `1.1.1.${i}, 203.0.113.66`)).statusCode).toBe(401);
      expect((await viaProxy(VECTOR_PASSWORD, '1.1.1.9, 203.0.113.66')).statusCode).toBe(429);
      expect((await viaProxy(VECTOR_PASSWORD, '198.51.100.7')).statusCode).toBe(200);
    });

    if (phase.startsWith('dual')) {
      it('keeps users.json on disk equal to the database after register and login', async () => {
        t = await authApp(engine, phase);
        await seedLegacyUsers(t, [VECTOR_USER]);
        const admin = await login(VECTOR_USER.email, VECTOR_PASSWORD);
        await t.app.inject({
          method: 'POST',
          url: '/api/auth/register',
          payload: { email: 'Second@Example.org', password: 'Second#Pass1' },
          headers: bearer(admin.json().accessToken),
        });
        expect((await login('second@example.org', 'Second#Pass1')).statusCode).toBe(200);
        const onDisk = JSON.parse(readFileSync(join(t.configDir, 'users.json'), 'utf8'));
        const inDb = await createUsersSql(t.ctx.db.kysely).list();
        expect(onDisk).toEqual(Object.fromEntries(inDb.map((u) => [u.id, u])));
        expect(Object.keys(onDisk)).toHaveLength(2);
        // New passwords stay verifiable by the old server until the files are retired.
        expect(onDisk[inDb[1].id].passwordHash).toMatch(/^[0-9a-f]{32}:[0-9a-f]{128}$/);
        const raw = readFileSync(join(t.configDir, 'users.json'), 'utf8');
        expect(raw.endsWith('\n')).toBe(false);
        expect(raw).toBe(JSON.stringify(onDisk, null, 2));
      });
    }

    it('never puts a password or a token signature in a log line, and no password in a body', async () => {
      t = await authApp(engine, phase, { LOG_LEVEL: 'debug' });
      const admin = await registerAdmin(t.app);
      const bodies: string[] = [];
      const r1 = await login(admin.user.email, ADMIN_PASSWORD);
      const r2 = await login(admin.user.email, 'Wrong#Pass1');
      const r3 = await t.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: r1.json().refreshToken } });
      const r4 = await t.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: r1.json().refreshToken } });
      const r5 = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(r3.json().accessToken) });
      bodies.push(r1.body, r2.body, r3.body, r4.body, r5.body);
      for (const b of bodies) {
        expect(b).not.toContain(ADMIN_PASSWORD);
        expect(b).not.toContain('passwordHash');
      }
      const logs = t.logs.join('\n');
      expect(t.logs.length).toBeGreaterThan(0);
      expect(logs).not.toContain(ADMIN_PASSWORD);
      expect(logs).not.toContain('Wrong#Pass1');
      for (const tok of [admin.accessToken, admin.refreshToken, r1.json().refreshToken, r3.json().accessToken]) {
        expect(logs).not.toContain(signatureOf(tok));
      }
    });
  });
}
