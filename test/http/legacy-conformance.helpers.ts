import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { StoragePhase } from '../../src/storage/phase-list.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import { sqlEngines, type TestEngine } from '../helpers/engines.js';

/**
 * Shared pieces of the legacy conformance suite (legacy-conformance.*.test.ts): API.md walked
 * route by route against the real app, the way a client written for the legacy server calls it.
 */

/** Phase `db` on every engine of the run, and `files` (the legacy JSON files) once. */
export function conformanceMatrix(): [TestEngine, StoragePhase][] {
  const engines = sqlEngines();
  return [...engines.map((e): [TestEngine, StoragePhase] => [e, 'db']), [engines[0], 'files']];
}

/** `Date.prototype.toISOString()`: UTC with milliseconds (FORMATS.md §0.3). */
export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * A field spec: a type name (`string`, `number`, `integer`, `boolean`, `iso`, `null`, `array`,
 * `object`, `unknown`, or several joined by `|`), optionally ending in `?` (the key may be
 * absent); `[spec]` = an array whose every element matches; an object = nested fields (extra keys
 * are allowed; use expectExactKeys where the key set is the whole contract).
 */
export type Spec = string | Spec[] | { [key: string]: Spec };

function typeOk(v: unknown, t: string): boolean {
  switch (t) {
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return Number.isInteger(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'iso':
      return typeof v === 'string' && ISO_MS.test(v);
    case 'null':
      return v === null;
    case 'array':
      return Array.isArray(v);
    case 'object':
      return v !== null && typeof v === 'object' && !Array.isArray(v);
    case 'unknown':
      return v !== undefined;
    default:
      throw new Error(`unknown spec type ${t}`);
  }
}

/** Asserts `value` matches `spec`, naming the path of the first mismatch. */
export function expectShape(value: unknown, spec: Spec, label = 'body'): void {
  if (typeof spec === 'string') {
    const types = spec.replace(/\?$/, '').split('|');
    expect(
      types.some((t) => typeOk(value, t)),
      `${label}: expected ${spec}, got ${JSON.stringify(value)?.slice(0, 200)}`,
    ).toBe(true);
    return;
  }
  if (Array.isArray(spec)) {
    expect(Array.isArray(value), `${label}: expected an array, got ${JSON.stringify(value)?.slice(0, 200)}`).toBe(true);
    (value as unknown[]).forEach((v, i) => {
      expectShape(v, spec[0], `${label}[${i}]`);
    });
    return;
  }
  expect(typeOk(value, 'object'), `${label}: expected an object, got ${JSON.stringify(value)?.slice(0, 200)}`).toBe(true);
  const obj = value as Record<string, unknown>;
  for (const [key, sub] of Object.entries(spec)) {
    const optional = typeof sub === 'string' && sub.endsWith('?');
    if (!(key in obj)) {
      expect(optional, `${label}.${key}: missing`).toBe(true);
      continue;
    }
    expectShape(obj[key], sub, `${label}.${key}`);
  }
}

/** The object has exactly these keys, in this order (where API.md pins the order). */
export function expectExactKeys(value: unknown, keys: string[], label = 'body'): void {
  expect(Object.keys(value as object), label).toEqual(keys);
}

/** Documented shared shapes (API.md §0.5, FORMATS.md §3). */
export const USER_RESPONSE: Spec = {
  id: 'string',
  email: 'string',
  role: 'string',
  createdAt: 'iso',
  updatedAt: 'iso',
  lastLoginAt: 'iso?',
};
export const LIBRARY_ITEM: Spec = {
  id: 'string',
  kind: 'string',
  title: 'string',
  posterUrl: 'string?',
  backgroundUrl: 'string?',
  year: 'number?',
  quality: 'string?',
  source: 'string?',
  filePath: 'string?',
  fileSize: 'number?',
  metadata: 'object?',
};
export const WANTED_ITEM: Spec = {
  id: 'string',
  title: 'string',
  kind: 'string',
  addedAt: 'iso',
  lastScan: { at: 'iso', found: 'integer', grabbed: 'integer' },
};
export const QUALITY_PROFILE: Spec = {
  id: 'string',
  name: 'string',
  upgradeAllowed: 'boolean',
  cutoff: 'string',
  qualities: [{ quality: 'string', allowed: 'boolean', preferred: 'boolean' }],
  minSize: 'number?',
  maxSize: 'number?',
};
export const VERIFY_OUTCOME: Spec = {
  phase: 'string',
  issues: [{ kind: 'string', severity: 'string', message: 'string?' }],
  analyzedAt: 'iso',
  topSeverity: 'string',
};

export interface Client {
  t: TestApp;
  admin: string;
  user: string;
  adminId: string;
  /** One request the way legacy clients send it: JSON body, bearer token when given. */
  call(method: string, url: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
}

export async function startClient(engine: TestEngine, phase: StoragePhase): Promise<Client> {
  const t = await createTestApp({ engine, phase });
  const a = await registerAdmin(t.app);
  const u = await registerUser(t.app, a.accessToken);
  return {
    t,
    admin: a.accessToken,
    user: u.accessToken,
    adminId: a.user.id,
    call(method, url, opts = {}) {
      const headers: Record<string, string> = { ...(opts.token ? bearer(opts.token) : {}), ...opts.headers };
      const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
      if (payload !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
      return t.app.inject({ method: method as 'GET', url, headers, payload });
    },
  };
}

/** `{ok:false,error:<exactly this>}` with this status (README: real statuses, legacy bodies). */
export function expectError(res: LightMyRequestResponse, status: number, error: string | RegExp, label = ''): void {
  expect(res.statusCode, `${label} ${res.body.slice(0, 300)}`).toBe(status);
  expect(String(res.headers['content-type']), label).toMatch(/^application\/json/);
  const body = res.json() as { ok: unknown; error: unknown };
  expect(body.ok, label).toBe(false);
  if (typeof error === 'string') expect(body.error, label).toBe(error);
  else expect(String(body.error), label).toMatch(error);
}

/** 200 and `ok:true` (the UI checks `j.ok` on 200 answers: NOTES.md §7). */
export function expectOk(res: LightMyRequestResponse, label = ''): Record<string, unknown> {
  expect(res.statusCode, `${label} ${res.body.slice(0, 300)}`).toBe(200);
  expect(String(res.headers['content-type']), label).toMatch(/^application\/json/);
  const body = res.json() as Record<string, unknown>;
  expect(body.ok, `${label} ${res.body.slice(0, 300)}`).toBe(true);
  return body;
}

/** 200 JSON without the `ok` key (the bare GET payloads, API.md §0.2 item 2). */
export function expectBare(res: LightMyRequestResponse, label = ''): Record<string, unknown> {
  expect(res.statusCode, `${label} ${res.body.slice(0, 300)}`).toBe(200);
  expect(String(res.headers['content-type']), label).toMatch(/^application\/json/);
  const body = res.json() as Record<string, unknown>;
  expect('ok' in body, `${label}: bare payload has no ok`).toBe(false);
  return body;
}

export type AuthLevel = 'none' | 'user' | 'admin';

/**
 * The auth level of a route: without a token 401 `Authentication required` (unless `none`);
 * with a non-admin token 403 `Insufficient permissions` on admin routes and never 401/403 on
 * user routes. `body` is sent as JSON on writes.
 */
export async function expectAuthLevel(c: Client, method: string, url: string, level: AuthLevel, body?: unknown): Promise<void> {
  const label = `${method} ${url}`;
  const anon = await c.call(method, url, { body });
  if (level === 'none') {
    expect([401, 403], `${label} without a token: ${anon.body.slice(0, 200)}`).not.toContain(anon.statusCode);
    return;
  }
  expect(anon.statusCode, `${label} without a token`).toBe(401);
  if (method !== 'HEAD') expect(anon.json(), label).toEqual({ ok: false, error: 'Authentication required' });
  const asUser = await c.call(method, url, { token: c.user, body });
  if (level === 'admin') {
    expect(asUser.statusCode, `${label} as a user`).toBe(403);
    expect(asUser.json(), label).toEqual({ ok: false, error: 'Insufficient permissions' });
  } else {
    expect([401, 403], `${label} as a user: ${asUser.body.slice(0, 200)}`).not.toContain(asUser.statusCode);
  }
}
