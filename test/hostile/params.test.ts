import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../helpers/auth.js';
import { type Actors, expectNotPolluted, expectOkFalse, expectSafe, isPublic, isWrite, routeMatrix, setupActors } from './hostile.helpers.js';

/**
 * Path-param sweep: every route with a `:param`, every method, gets ids an attacker or a broken
 * client sends (already URL-encoded as they would travel). 4xx or 200, never 5xx, JSON always.
 */
const HOSTILE_IDS: [string, string][] = [
  ['NUL', '%00'],
  ['embedded NUL', 'a%00b'],
  ['encoded traversal', '..%2F..%2F..%2Fetc%2Fpasswd'],
  ['dot dot', '..'],
  ['encoded dots', '%2e%2e'],
  ['backslash traversal', '..%5C..%5Cwindows'],
  ['10 KB id', 'x'.repeat(10_240)],
  ['unicode', 'caf%C3%A9-%E6%97%A5%E6%9C%AC'],
  ['emoji', '%F0%9F%8E%AC'],
  ['colon', 'movie%3A42'],
  ['raw colon', 'movie:42'],
  ['percent', '%25'],
  ['bare percent', '%'],
  ['bad escape', '%ZZ'],
  ['lone surrogate escape', '%ED%A0%80'],
  ['overlong utf-8', '%C0%AE%C0%AE'],
  ['space', '%20'],
  ['sql', "'%20OR%201%3D1%20--"],
  ['glob', '*'],
  ['proto', '__proto__'],
  ['constructor', 'constructor'],
  ['json', '%7B%22%24gt%22%3A%22%22%7D'],
];

const paramRoutes = (a: Actors) => a.routes.filter((r) => r.url.includes(':'));

for (const [engine, phase] of routeMatrix()) {
  describe(`hostile path params on ${engine}/${phase}`, () => {
    let a: Actors;
    beforeAll(async () => {
      a = await setupActors(engine, phase);
    });
    afterAll(async () => a?.t.close());

    it('never answers 5xx to a hostile id on any param route', async () => {
      expect(paramRoutes(a).length).toBeGreaterThan(3);
      for (const r of paramRoutes(a)) {
        for (const [what, id] of HOSTILE_IDS) {
          const url = r.url.replace(/:[A-Za-z0-9_]+/g, id);
          const res = await a.t.app.inject({
            method: r.method,
            url,
            headers: isPublic(r) ? {} : bearer(a.admin),
            ...(isWrite(r) ? { payload: {} } : {}),
          });
          const l = `${r.method} ${r.url} [${what}]`;
          expectSafe(res, l);
          expectNotPolluted();
          if (what.includes('NUL')) {
            expect(res.statusCode, `${l}: ${res.body}`).toBe(400);
            expectOkFalse(res, l);
          }
        }
      }
    });

    it('answers an unknown library id 404 not_found, whatever its bytes', async () => {
      for (const [what, id] of HOSTILE_IDS) {
        // '..' (even as %2e%2e) is resolved by the URL parser (another route); the rest are ids to look up.
        if (/NUL|percent|escape|overlong|10 KB|dot/.test(what)) continue;
        const res = await a.t.app.inject({ method: 'GET', url: `/api/library/${id}`, headers: bearer(a.user) });
        expect(res.statusCode, `${what}: ${res.body}`).toBe(404);
        expect(res.json(), what).toEqual({ ok: false, error: 'not_found' });
      }
    });

    it('finds items whose ids hold unicode, colons, spaces and percent signs', async () => {
      for (const id of ['movie:42', 'café 日本 🎬', '100%', 'a/b', "O'Brien; DROP TABLE library"]) {
        const created = await a.t.app.inject({
          method: 'POST',
          url: '/api/library',
          headers: bearer(a.admin),
          payload: { id, kind: 'movie', title: `T ${id}` },
        });
        expect(created.statusCode, created.body).toBe(200);
        expect(created.json().item.id).toBe(id);
        const got = await a.t.app.inject({ method: 'GET', url: `/api/library/${encodeURIComponent(id)}`, headers: bearer(a.user) });
        expect(got.statusCode, `${id}: ${got.body}`).toBe(200);
        expect(got.json().item).toMatchObject({ id, title: `T ${id}` });
        const del = await a.t.app.inject({ method: 'DELETE', url: `/api/library/${encodeURIComponent(id)}`, headers: bearer(a.admin) });
        expect(del.statusCode, `${id}: ${del.body}`).toBe(200);
        expect(del.json().item.id).toBe(id);
      }
    });

    it('deletes nothing when a wanted delete is aimed with traversal or wildcards', async () => {
      const add = await a.t.app.inject({ method: 'POST', url: '/api/wanted', headers: bearer(a.user), payload: { id: 'w1', title: 'W', kind: 'movie' } });
      expect(add.statusCode).toBe(200);
      for (const [kind, id] of [
        ['*', '*'],
        ['movie', '*'],
        ['%25', '%25'],
        ['movie', "w1'%20OR%20'1'%3D'1"],
        ['..', '..'],
        ['movie%3Aw1', 'w1'],
      ]) {
        const res = await a.t.app.inject({ method: 'DELETE', url: `/api/wanted/${kind}/${id}`, headers: bearer(a.user) });
        expectSafe(res, `${kind}/${id}`);
      }
      const list = await a.t.app.inject({ method: 'GET', url: '/api/wanted', headers: bearer(a.user) });
      expect(list.json().items.map((i: { id: string }) => i.id)).toEqual(['w1']);
    });
  });
}
