import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { StoragePhase } from '../../src/storage/phase-list.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import type { TestEngine } from '../helpers/engines.js';
import { phaseMatrix } from '../helpers/matrix.js';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
export interface RouteDef {
  method: Method;
  url: string;
}

// ---------------------------------------------------------------------------------------------
// THE access policy the sweep checks, in one place. Everything not listed as public needs a
// token; writes matched by ADMIN_WRITES need the admin role (DOMAIN_GUIDE: "writes to settings,
// library, indexers, quality need admin"), except the user-level actions in USER_WRITES.
// ---------------------------------------------------------------------------------------------

/** Routes answered without a token (the UI asks them before anyone can log in). */
export const PUBLIC_ROUTES: readonly (string | RegExp)[] = [
  'GET /api/health',
  /^GET \/api\/system\//,
  'GET /api/auth/status',
  'POST /api/auth/login',
  'POST /api/auth/register',
  'POST /api/auth/refresh',
  'POST /api/auth/logout',
  'GET /api/onboarding/check-setup',
  // The web app's built files (src/http/web-app.ts): `/`, index.html, assets/*, favicon.
  /^GET \/(?!api\/|metrics$)/,
  // Stored artwork (content-hashed names): an <img> cannot send a bearer token.
  'GET /api/artwork/:file',
];

/** Write routes reserved to admins (prefix match on the path). */
const ADMIN_WRITES: readonly RegExp[] = [
  /^\/api\/settings\//,
  /^\/api\/library(\/|$)/,
  /^\/api\/indexers(\/|$)/,
  /^\/api\/scanner\//,
  /^\/api\/metadata\/(settings|apply)$/,
  /^\/api\/files\/artwork\//,
  /^\/api\/organizer\/(config|start|stop|undo)$/,
  /^\/api\/onboarding\/(setup|scan)$/,
  /^\/api\/subtitles\/automation\/(config|scan|clear|process)$/,
  /^\/api\/subtitles\/(extract|convert|sync\/manual|sync\/auto|generate)$/,
];

/** Routes reserved to admins for reading too (backups hold every secret; the migration console and quarantine the legacy records; the job queue). */
const ADMIN_READS: readonly RegExp[] = [/^\/api\/system\/(backups|audit|migration|quarantine|jobs)(\/|$)/, /^\/metrics$/];

/** Writes under an admin prefix that any user may call (searches, previews). */
const USER_WRITES: readonly string[] = ['POST /api/indexers/search', 'POST /api/scanner/preview'];

/**
 * Other routes a non-admin token gets 403 on: the user list, and a user record that is not the
 * caller's own (the sweep's filled-in id never is; own-email changes: test/users).
 */
const ADMIN_ROUTES: readonly string[] = ['GET /api/users', 'PATCH /api/users/:id', 'DELETE /api/users/:id', 'POST /api/users/:id/sessions/revoke'];

/**
 * Streams that answer a valid token with a response that never ends (Server-Sent Events): the
 * sweeps, which wait for whole answers, leave them out; test/events covers their access rules
 * (401 without or with a broken token, any user's token let in) over a real socket.
 */
export const STREAM_ROUTES: readonly string[] = ['GET /api/events'];

const key = (r: RouteDef) => `${r.method} ${r.url}`;

export function isPublic(r: RouteDef): boolean {
  return PUBLIC_ROUTES.some((p) => (typeof p === 'string' ? p === key(r) : p.test(key(r))));
}

export function isAdminOnly(r: RouteDef): boolean {
  if (ADMIN_ROUTES.includes(key(r))) return true;
  if (ADMIN_READS.some((re) => re.test(r.url))) return true;
  if (r.method === 'GET' || isPublic(r) || USER_WRITES.includes(key(r))) return false;
  return ADMIN_WRITES.some((re) => re.test(r.url));
}

export const isWrite = (r: RouteDef) => r.method === 'POST' || r.method === 'PATCH' || r.method === 'PUT';

/**
 * Every registered route, read back from Fastify's own route tree (`printRoutes`), so a route
 * added later is swept without touching these tests. HEAD/OPTIONS twins are left out.
 */
export function listRoutes(app: FastifyInstance): RouteDef[] {
  const out: RouteDef[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:│ {3}| {4})*)(?:├── |└── )(\S+)(?: \(([^)]*)\))?/.exec(line);
    if (!m) continue;
    const depth = m[1].length / 4;
    stack.length = depth;
    const path = (depth ? stack[depth - 1] : '') + m[2];
    stack.push(path);
    for (const method of (m[3] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      if (STREAM_ROUTES.includes(`${method} ${path}`)) continue;
      out.push({ method: method as Method, url: path });
    }
  }
  // The parse must agree with the router itself.
  for (const r of out) expect(app.hasRoute({ method: r.method, url: r.url }), key(r)).toBe(true);
  return out;
}

/** The route's URL with every `:param` replaced by `value` (already URL-encoded). */
export function fillParams(url: string, value = 'missing-id'): string {
  return url.replace(/:[A-Za-z0-9_]+/g, value);
}

/** The full engine x phase matrix (test/helpers/matrix.ts). */
export function routeMatrix(): [TestEngine, StoragePhase][] {
  return phaseMatrix();
}

/**
 * For the heaviest sweeps: each store implementation once (sql on every engine, json files) plus
 * one dual phase (both written in one request). The dual phases only combine these.
 */
export function storageMatrix(): [TestEngine, StoragePhase][] {
  const m = phaseMatrix();
  const firstDual = m.find(([, p]) => p.startsWith('dual-'));
  return [...m.filter(([, p]) => p === 'db' || p === 'files'), ...(firstDual ? [firstDual] : [])];
}

export interface Actors {
  t: TestApp;
  admin: string;
  user: string;
  routes: RouteDef[];
  /** A library item that exists, so `/api/library/:id` writes reach the service. */
  libraryId: string;
}

export async function setupActors(engine: TestEngine, phase: StoragePhase, opts: { now?: () => Date } = {}): Promise<Actors> {
  const t = await createTestApp({ engine, phase, now: opts.now });
  const admin = await registerAdmin(t.app);
  const user = await registerUser(t.app, admin.accessToken);
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/library',
    headers: bearer(admin.accessToken),
    payload: { kind: 'movie', title: 'Target' },
  });
  expect(created.statusCode).toBe(200);
  const libraryId = (created.json() as { item: { id: string } }).item.id;
  return { t, admin: admin.accessToken, user: user.accessToken, routes: listRoutes(t.app), libraryId };
}

/**
 * Sends a raw body to a route as the admin (public routes without a token, so logout cannot
 * end the admin's session). `/api/library/:id` targets the existing item.
 */
export function sendBody(a: Actors, r: RouteDef, payload: string | undefined, contentType = 'application/json') {
  const url = r.url.startsWith('/api/library/:id') ? fillParams(r.url, encodeURIComponent(a.libraryId)) : fillParams(r.url);
  const headers: Record<string, string> = isPublic(r) ? {} : bearer(a.admin);
  if (payload !== undefined) headers['content-type'] = contentType;
  return a.t.app.inject({ method: r.method, url, headers, payload });
}

/** Things an attacker must never read in a response body. */
const STACK_OR_PATH = [
  /\n\s+at /, // a stack frame
  /\bat .*\.(ts|js):\d+/,
  /\/work\//,
  /\/tmp\//,
  /node_modules/,
  /[A-Za-z]:\\/, // windows paths
  /\bSqliteError\b|\bSQLITE_[A-Z]+/,
  /\bsyntax error at or near\b|\bduplicate key value\b|\bviolates\b/,
  /\bTypeError\b|\bReferenceError\b|\bRangeError\b/,
];

export interface SafeOpts {
  /** Echo of the request that legitimately comes back (e.g. a saved path); skips the path check. */
  allowPaths?: boolean;
}

/** Never a 5xx, always JSON, never a stack trace, file path or driver error in the body. */
export function expectSafe(res: LightMyRequestResponse, label: string, opts: SafeOpts = {}): void {
  // 502 is the declared answer when a download client or indexer cannot be reached (UpstreamError):
  // the sweep's valid bodies point them at a closed local port. Its body is still checked below.
  const upstream = res.statusCode === 502 && /^\{"ok":false,"error":"[a-z_]+"/.test(res.body);
  if (!upstream) expect(res.statusCode, `${label}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
  // The web app's built files (HTML, scripts, styles) are what they are: test/http/web-app.test.ts checks them.
  if (/^(GET )?\/(?!api\/|metrics\b)/.test(label)) return;
  // GET /metrics answers Prometheus text by design (when the caller may read it).
  const prometheus = /^(GET )?\/metrics\b/.test(label) && res.statusCode === 200;
  if (!prometheus) {
    expect(String(res.headers['content-type'] ?? ''), `${label}: content-type`).toMatch(/^application\/json/);
    expect(() => JSON.parse(res.body), `${label}: body is JSON`).not.toThrow();
  } else {
    expect(String(res.headers['content-type'] ?? ''), `${label}: content-type`).toMatch(/^text\/plain; version=0\.0\.4/);
  }
  // The migration console (admin only) names the directories it works on by design: the configured
  // legacy dir, the one the admin typed, the backups it writes.
  const paths = opts.allowPaths || /\/api\/system\/migration\//.test(label);
  for (const re of STACK_OR_PATH) {
    if (paths && (re.source.includes('work') || re.source.includes('tmp'))) continue;
    expect(re.test(res.body), `${label}: body matches ${re}: ${res.body.slice(0, 300)}`).toBe(false);
  }
}

/** An error answer in the envelope most routes use. */
export function expectOkFalse(res: LightMyRequestResponse, label: string): void {
  const body = res.json() as Record<string, unknown>;
  expect(body.ok, `${label}: ${res.body.slice(0, 200)}`).toBe(false);
  expect(typeof body.error, `${label}: error is a string`).toBe('string');
}

export function expectNotPolluted(): void {
  const probe = {} as Record<string, unknown>;
  expect(probe.polluted).toBeUndefined();
  expect(probe.isAdmin).toBeUndefined();
  expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  expect(Object.keys(Object.prototype)).toEqual([]);
}

/** 4xx answers carry one of the documented envelopes. */
export function expectErrorEnvelope(res: LightMyRequestResponse, l: string): void {
  if (res.statusCode < 400) return;
  const b = res.json() as Record<string, unknown>;
  const legacyOk = b.ok === false && typeof b.error === 'string';
  const fastify = typeof b.statusCode === 'number' && typeof b.message === 'string';
  const success = b.success === false;
  expect(legacyOk || fastify || success, `${l}: envelope ${res.body.slice(0, 200)}`).toBe(true);
}
