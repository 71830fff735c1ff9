import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../helpers/auth.js';
import { BASE_BODIES, baseBody } from './hostile.bodies.js';
import { type Actors, fillParams, isAdminOnly, isPublic, isWrite, type RouteDef, sendBody, setupActors, storageMatrix } from './hostile.helpers.js';

/**
 * A rejected request changes nothing: for every write and delete route, each request of a
 * battery (no token, non-admin token, broken JSON, wrong content type, non-object body, a NUL /
 * lone surrogate / wrong-typed / too-deep value in each field of a valid body) that is answered
 * 4xx must leave the GETs of its area byte-identical. A request that is accepted (2xx) moves
 * the baseline.
 */
const FIXED_NOW = new Date('2025-06-01T12:00:00.000Z');

/** GETs that need a query or an id to show the state a write of that area touches. */
const EXTRA_SNAPSHOTS: Record<string, string[]> = {
  '/api/verify': ['/api/verify/last?kind=movie&id=v1', '/api/verify/last?kind=movie&id=v2'],
  '/api/downloads': ['/api/downloads/last?kind=movie&id=g1'],
};

const area = (url: string) => url.split('/').slice(0, 3).join('/');

const LEAF_BREAKERS: [string, string][] = [
  ['NUL', '"a\\u0000b"'],
  ['lone surrogate', '"\\ud800"'],
  ['wrong type', '{"$gt":""}'],
  ['too deep', `${'{"a":'.repeat(100)}1${'}'.repeat(100)}`],
];

/** Raw bodies with one leaf of the valid body replaced. */
function brokenLeaves(body: unknown): [string, string][] {
  const out: [string, string][] = [];
  const MARK = '"\\u0001MARK\\u0001"';
  const walk = (v: unknown, set: (x: unknown) => unknown, path: string) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k], (x) => set({ ...(v as object), [k]: x }), `${path}.${k}`);
      return;
    }
    const text = JSON.stringify(set('\u0001MARK\u0001'));
    for (const [name, frag] of LEAF_BREAKERS) out.push([`${path}=${name}`, text.replace(MARK, () => frag)]);
  };
  if (body && typeof body === 'object' && Object.keys(body).length) walk(body, (x) => x, 'body');
  return out;
}

for (const [engine, phase] of storageMatrix()) {
  describe(`rejected requests change nothing on ${engine}/${phase}`, () => {
    let a: Actors;
    let gets: RouteDef[] = [];

    beforeAll(async () => {
      a = await setupActors(engine, phase, { now: () => FIXED_NOW });
      gets = a.routes.filter(
        (r) => r.method === 'GET' && !r.url.includes(':') && !r.url.startsWith('/api/system') && r.url !== '/api/health' && r.url !== '/metrics',
      ); // /metrics counts every request: observability, not state
      // Some state in every area, written by valid requests.
      for (const [key, body] of Object.entries(BASE_BODIES)) {
        const [method, url] = key.split(' ') as ['POST' | 'PATCH', string];
        if (url.startsWith('/api/auth') || !a.routes.some((r) => r.method === method && r.url === url)) continue;
        const res = await sendBody(a, { method, url }, JSON.stringify(body));
        const jobId = (res.json() as { jobId?: string }).jobId;
        if (jobId) await waitForJob(jobId); // the queue writes its result later: not during the sweep
      }
    });
    afterAll(async () => a?.t.close());

    /** Any queued job (verify, organizer, content check, subtitle scan) by its queue row. */
    async function waitForJob(id: string): Promise<void> {
      for (let i = 0; i < 400; i++) {
        const status = (await a.t.ctx.stores.jobs.get(id))?.status;
        if (status === undefined || status === 'completed' || status === 'failed') return;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`job ${id} never finished`);
    }

    async function snapshot(r: RouteDef): Promise<Record<string, string>> {
      let urls = gets.filter((g) => area(g.url) === area(r.url)).map((g) => g.url);
      if (r.url.startsWith('/api/library/:id')) urls.push(`/api/library/${encodeURIComponent(a.libraryId)}`);
      urls.push(...(EXTRA_SNAPSHOTS[area(r.url)] ?? []));
      if (urls.length === 0) urls = gets.map((g) => g.url);
      const snap: Record<string, string> = {};
      for (const url of urls) {
        const res = await a.t.app.inject({ method: 'GET', url, headers: bearer(a.admin) });
        snap[url] = `${res.statusCode} ${res.body}`;
      }
      return snap;
    }

    function battery(r: RouteDef): [string, () => ReturnType<typeof sendBody>][] {
      const url = r.url.startsWith('/api/library/:id') ? fillParams(r.url, encodeURIComponent(a.libraryId)) : fillParams(r.url);
      const valid = JSON.stringify(baseBody(r));
      const as =
        (token: string | undefined, payload?: string, ct = 'application/json') =>
        () =>
          a.t.app.inject({
            method: r.method,
            url,
            headers: { ...(token ? bearer(token) : {}), ...(payload !== undefined ? { 'content-type': ct } : {}) },
            payload,
          });
      const out: [string, () => ReturnType<typeof sendBody>][] = [];
      if (!isPublic(r)) out.push(['no token', as(undefined, isWrite(r) ? valid : undefined)], ['bad token', as('x.y.z', isWrite(r) ? valid : undefined)]);
      if (isAdminOnly(r)) out.push(['user token', as(a.user, isWrite(r) ? valid : undefined)]);
      if (!isWrite(r)) return out;
      const tok = isPublic(r) ? undefined : a.admin;
      out.push(
        ['broken json', as(tok, valid.slice(0, -1))],
        ['form', as(tok, 'a=1', 'application/x-www-form-urlencoded')],
        ['deep body', as(tok, `${'{"a":'.repeat(100)}1${'}'.repeat(100)}`)],
        [
          '__proto__',
          as(
            tok,
            valid.replace(/\}$/, () => `${valid === '{}' ? '' : ','}"__proto__":{"x":1}}`),
          ),
        ],
      );
      for (const [what, raw] of brokenLeaves(baseBody(r))) out.push([what, as(tok, raw)]);
      return out;
    }

    it('keeps every area byte-identical across each rejected request', async () => {
      const targets = a.routes.filter((r) => isWrite(r) || r.method === 'DELETE');
      expect(targets.length).toBeGreaterThan(15);
      let rejected = 0;
      for (const r of targets) {
        let before = await snapshot(r);
        for (const [what, send] of battery(r)) {
          const res = await send();
          const jobId = res.statusCode < 400 ? (res.json() as { jobId?: string }).jobId : undefined;
          if (jobId) await waitForJob(jobId); // an accepted job writes its result later
          const after = await snapshot(r);
          if (res.statusCode >= 400) {
            rejected++;
            expect(after, `${r.method} ${r.url} [${what}] answered ${res.statusCode} ${res.body.slice(0, 120)} but changed state`).toEqual(before);
          }
          before = after;
        }
      }
      expect(rejected).toBeGreaterThan(200);
    }, 240_000); // thousands of requests, like the leaf sweep (leaves.test.ts): over 60 s on a loaded 2-core machine
  });
}
