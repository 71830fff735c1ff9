import type { FastifyInstance } from 'fastify';

/** Fixed credentials of the first (admin) user; the password passes the registration policy. */
export const ADMIN_EMAIL = 'admin@example.test';
export const ADMIN_PASSWORD = 'Admin#Pass-2024';
/** Password given to users made by registerUser. */
export const USER_PASSWORD = 'User#Pass-2024';

export interface TestUser {
  id: string;
  email: string;
  role: 'admin' | 'user';
  createdAt: string;
  updatedAt: string;
  lastLoginAt?: string;
}

export interface Registered {
  accessToken: string;
  refreshToken: string;
  user: TestUser;
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

async function postRegister(app: FastifyInstance, payload: object, headers: Record<string, string> = {}): Promise<Registered> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/register', payload, headers });
  if (res.statusCode !== 200) throw new Error(`register failed: ${res.statusCode} ${res.body}`);
  const body = res.json() as { ok: boolean; accessToken: string; refreshToken: string; user: TestUser };
  return { accessToken: body.accessToken, refreshToken: body.refreshToken, user: body.user };
}

/** Registers the first user (who becomes admin) through POST /api/auth/register. */
export function registerAdmin(app: FastifyInstance): Promise<Registered> {
  return postRegister(app, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
}

let counter = 0;

/**
 * Registers a non-admin user with the admin's access token (the answer holds the new user only),
 * then logs that user in; returns the user's own tokens.
 */
export async function registerUser(app: FastifyInstance, adminAccessToken: string, email?: string): Promise<Registered> {
  counter += 1;
  const address = email ?? `user${counter}@example.test`;
  const created = await app.inject({
    method: 'POST',
    url: '/api/auth/register',
    payload: { email: address, password: USER_PASSWORD },
    headers: bearer(adminAccessToken),
  });
  if (created.statusCode !== 200) throw new Error(`register failed: ${created.statusCode} ${created.body}`);
  const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: address, password: USER_PASSWORD } });
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.statusCode} ${login.body}`);
  const body = login.json() as { accessToken: string; refreshToken: string; user: TestUser };
  return { accessToken: body.accessToken, refreshToken: body.refreshToken, user: created.json().user as TestUser };
}
