import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as client from '../../web/src/api/client.js';
import { type AuthTestApp, authApp } from '../auth/auth.fixtures.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, registerAdmin } from '../helpers/auth.js';

/**
 * The web app's API client (web/src/api/client.ts) against the real server on 127.0.0.1: the
 * browser's localStorage is a Map here; fetch is Node's, with relative URLs resolved to the server.
 */
const store = new Map<string, string>();
const localStorage = {
  getItem: (k: string) => store.get(k) ?? null,
  setItem: (k: string, v: string) => void store.set(k, v),
  removeItem: (k: string) => void store.delete(k),
};

describe('web app API client', () => {
  let t: AuthTestApp;
  let base: string;
  const calls: string[] = [];
  const realFetch = globalThis.fetch;
  beforeAll(async () => {
    t = await authApp('sqlite', 'db');
    await registerAdmin(t.app);
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    (globalThis as { window?: unknown }).window = { localStorage };
    globalThis.fetch = (input: string | URL | Request, init?: RequestInit) => {
      const url = typeof input === 'string' && input.startsWith('/') ? `${base}${input}` : input;
      calls.push(String(url).replace(base, ''));
      return realFetch(url, init);
    };
  });
  afterAll(async () => {
    globalThis.fetch = realFetch;
    delete (globalThis as { window?: unknown }).window;
    await t.close();
  });
  beforeEach(() => {
    calls.length = 0;
  });

  it('logs in, keeps the refresh token stored and the access token in memory only', async () => {
    const user = await client.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    expect(user.email).toBe(ADMIN_EMAIL);
    expect(client.storedRefreshToken()).toMatch(/^ey/);
    expect([...store.values()]).toHaveLength(1);
    const me = await client.api<{ user: { email: string } }>('/api/auth/me');
    expect(me.user.email).toBe(ADMIN_EMAIL);
  });

  it('on 401 runs ONE refresh shared by every waiting caller, stores the rotated token, retries each once', async () => {
    const before = client.storedRefreshToken();
    t.clock.advance(16 * 60 * 1000); // the access token expired
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => client.api<{ ok: boolean }>('/api/auth/me')));
    expect(answers.every((a) => a.ok)).toBe(true);
    expect(calls.filter((c) => c === '/api/auth/refresh')).toHaveLength(1);
    expect(calls.filter((c) => c === '/api/auth/me')).toHaveLength(10);
    expect(client.storedRefreshToken()).not.toBe(before);
  });

  it('answers errors with the server message (the field named) and status', async () => {
    const err = await client.api('/api/library', { body: { kind: 'movie' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(client.ApiError);
    expect((err as client.ApiError).status).toBe(400);
    expect((err as client.ApiError).message).toMatch(/title/);
  });

  it('logout revokes the session on the server: the stored token no longer refreshes', async () => {
    const token = client.storedRefreshToken();
    await client.logout();
    expect(client.storedRefreshToken()).toBeNull();
    expect(client.sessionUser()).toBeNull();
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: token } });
    expect(res.statusCode).toBe(401);
    await expect(client.api('/api/auth/me')).rejects.toMatchObject({ status: 401 });
  });
});
