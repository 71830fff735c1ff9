import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseBody, mutations } from './hostile.bodies.js';
import {
  type Actors,
  expectErrorEnvelope,
  expectNotPolluted,
  expectSafe,
  isWrite,
  type RouteDef,
  sendBody,
  setupActors,
  storageMatrix,
} from './hostile.helpers.js';

/**
 * Leaf sweep: each leaf of a VALID body of every write route (so the value reaches the service
 * and the store, not only the schema) replaced by a hostile value: 100 KB strings, NUL, lone
 * surrogates, 1e309, -0, NaN-ish strings, SQL, deep objects; plus an unknown extra key and
 * `__proto__`/`constructor` keys next to valid fields. Never a 5xx, JSON, no stack, no pollution.
 */
const label = (r: RouteDef, what: string) => `${r.method} ${r.url} [${what}]`;

for (const [engine, phase] of storageMatrix()) {
  describe(`hostile leaf values on ${engine}/${phase}`, () => {
    let a: Actors;
    beforeAll(async () => {
      a = await setupActors(engine, phase);
    });
    afterAll(async () => a?.t.close());

    it('never fails when a leaf of a valid body is hostile', async () => {
      const writes = a.routes.filter(isWrite);
      let sent = 0;
      for (const r of writes) {
        for (const [what, raw] of mutations(baseBody(r))) {
          const res = await sendBody(a, r, raw);
          sent++;
          const l = label(r, what);
          expectSafe(res, l);
          expectErrorEnvelope(res, l);
          expectNotPolluted();
          // Text no engine stores alike is refused at the edge, naming where it was found.
          if (/NUL|surrogate/.test(what) && !what.startsWith('body+')) {
            expect(res.statusCode, `${l}: ${res.body.slice(0, 200)}`).toBe(400);
            expect(res.json().error, l).toMatch(/must not contain (NUL characters|unpaired surrogates)/);
          }
        }
      }
      expect(sent).toBeGreaterThan(500);
      // One request per leaf mutation of every write route: the sweep grows with the API.
    }, 240_000);
  });
}
