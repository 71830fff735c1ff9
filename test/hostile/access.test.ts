import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../helpers/auth.js';
import {
  type Actors,
  expectOkFalse,
  expectSafe,
  fillParams,
  isAdminOnly,
  isPublic,
  isWrite,
  PUBLIC_ROUTES,
  type RouteDef,
  routeMatrix,
  setupActors,
} from './hostile.helpers.js';

/**
 * Access sweep over EVERY registered route (read from the router, so new routes are covered):
 * no token / a broken token -> 401 {ok:false,error}, except the public list; a non-admin token
 * on an admin-only write -> 403 and nothing written.
 */
const label = (r: RouteDef) => `${r.method} ${r.url}`;

function request(r: RouteDef, headers: Record<string, string> = {}) {
  return {
    method: r.method,
    url: fillParams(r.url),
    headers,
    ...(isWrite(r) ? { payload: {} } : {}),
  };
}

const BROKEN_AUTH: [string, Record<string, string>][] = [
  ['no header', {}],
  ['lowercase scheme', { authorization: 'bearer abc' }],
  ['garbage token', { authorization: 'Bearer not.a.jwt' }],
  ['empty bearer', { authorization: 'Bearer ' }],
  ['alg none', { authorization: 'Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxIiwicm9sZSI6ImFkbWluIn0.' }],
  ['basic auth', { authorization: 'Basic YWRtaW46YWRtaW4=' }],
  ['huge token', { authorization: `Bearer ${'a'.repeat(8000)}` }],
];

for (const [engine, phase] of routeMatrix()) {
  describe(`access sweep on ${engine}/${phase}`, () => {
    let a: Actors;
    beforeAll(async () => {
      a = await setupActors(engine, phase);
    });
    afterAll(async () => a?.t.close());

    it('finds the routes and every string entry of the public list exists', () => {
      expect(a.routes.length).toBeGreaterThan(20);
      const keys = new Set(a.routes.map(label));
      for (const p of PUBLIC_ROUTES) if (typeof p === 'string') expect(keys.has(p), p).toBe(true);
    });

    it('answers 401 {ok:false,error} without a valid token on every non-public route', async () => {
      const guarded = a.routes.filter((r) => !isPublic(r));
      expect(guarded.length).toBeGreaterThan(15);
      for (const r of guarded) {
        for (const [what, headers] of BROKEN_AUTH) {
          const res = await a.t.app.inject(request(r, headers));
          const l = `${label(r)} (${what})`;
          expectSafe(res, l);
          expect(res.statusCode, `${l}: ${res.body}`).toBe(401);
          expectOkFalse(res, l);
        }
      }
    });

    it('never answers 5xx on a public route without a token', async () => {
      for (const r of a.routes.filter(isPublic)) {
        const res = await a.t.app.inject(request(r));
        expectSafe(res, label(r));
      }
    });

    it('answers 403 to a non-admin token on every admin-only write', async () => {
      const adminOnly = a.routes.filter(isAdminOnly);
      expect(adminOnly.length).toBeGreaterThan(5);
      for (const r of adminOnly) {
        const res = await a.t.app.inject(request(r, bearer(a.user)));
        expectSafe(res, label(r));
        expect(res.statusCode, `${label(r)}: ${res.body}`).toBe(403);
        expect(res.json()).toEqual({ ok: false, error: 'Insufficient permissions' });
      }
    });

    it('lets a non-admin token through on every other non-public route (never 401/403)', async () => {
      for (const r of a.routes.filter((x) => !isPublic(x) && !isAdminOnly(x))) {
        const res = await a.t.app.inject(request(r, bearer(a.user)));
        expectSafe(res, label(r));
        expect([401, 403], `${label(r)}: ${res.body}`).not.toContain(res.statusCode);
      }
    });

    it('rejects a revoked session on a guarded route', async () => {
      const res = await a.t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(a.user), payload: {} });
      expectSafe(res, 'logout');
      const after = await a.t.app.inject({ method: 'GET', url: '/api/wanted', headers: bearer(a.user) });
      expect(after.statusCode).toBe(401);
      expectOkFalse(after, 'after logout');
    });
  });
}
