import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../helpers/auth.js';
import { type Actors, expectOkFalse, expectSafe, isPublic, isWrite, routeMatrix, setupActors } from './hostile.helpers.js';

/**
 * Multipart sweep: the grab route is the only one that takes multipart; every other write
 * answers 415. Broken multipart bodies are 4xx, NUL characters in hand-parsed fields are
 * refused like in JSON bodies, and a refused grab stores nothing.
 */
const B = 'HostileBoundary';
const CT = `multipart/form-data; boundary=${B}`;

function form(fields: [string, string][], file?: { field: string; name: string; data: string }): string {
  let out = fields.map(([k, v]) => `--${B}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('');
  if (file)
    out += `--${B}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: application/x-nzb\r\n\r\n${file.data}\r\n`;
  return `${out}--${B}--\r\n`;
}

const NZB = { field: 'nzbUpload', name: 'a.nzb', data: '<nzb/>' };

for (const [engine, phase] of routeMatrix()) {
  describe(`hostile multipart on ${engine}/${phase}`, () => {
    let a: Actors;
    const grab = (payload: string, contentType = CT) =>
      a.t.app.inject({ method: 'POST', url: '/api/downloads/grab', headers: { ...bearer(a.user), 'content-type': contentType }, payload });
    const last = async (kind: string, id: string) =>
      (await a.t.app.inject({ method: 'GET', url: `/api/downloads/last?kind=${kind}&id=${id}`, headers: bearer(a.user) })).body;

    beforeAll(async () => {
      a = await setupActors(engine, phase);
    });
    afterAll(async () => a?.t.close());

    it('answers 415 to multipart on every write route but the grab', async () => {
      for (const r of a.routes.filter((x) => isWrite(x) && x.url !== '/api/downloads/grab')) {
        const res = await a.t.app.inject({
          method: r.method,
          url: r.url.replace(/:[A-Za-z0-9_]+/g, 'x'),
          headers: { ...(isPublic(r) ? {} : bearer(a.admin)), 'content-type': CT },
          payload: form([['title', 'x']]),
        });
        expectSafe(res, `${r.method} ${r.url}`);
        expect(res.statusCode, `${r.method} ${r.url}`).toBe(415);
      }
    });

    it('answers broken multipart bodies 4xx, never 500', async () => {
      const broken: [string, string, string][] = [
        ['garbage', CT, 'garbage'],
        ['no boundary', 'multipart/form-data', `--${B}\r\n`],
        ['cut short', CT, `--${B}\r\nContent-Disposition: form-data; name="title"\r\n\r\nT`],
        ['no closing', CT, form([['title', 'T']]).replace(`--${B}--\r\n`, '')],
        ['two files', CT, form([['title', 'T']], NZB).replace(`--${B}--\r\n`, form([], { ...NZB, field: 'nzb' }))],
        ['nameless part', CT, `--${B}\r\nContent-Disposition: form-data\r\n\r\nx\r\n--${B}--\r\n`],
        ['100 fields', CT, form(Array.from({ length: 100 }, (_, i) => [`f${i}`, 'v'] as [string, string]))],
        ['empty', CT, ''],
      ];
      for (const [what, ct, payload] of broken) {
        const res = await grab(payload, ct);
        expectSafe(res, what);
        expect(res.statusCode, `${what}: ${res.body}`).toBeGreaterThanOrEqual(400);
      }
    });

    // (A lone surrogate cannot travel in a multipart body: UTF-8 has no encoding for it.)
    it('refuses NUL in multipart fields and stores nothing', async () => {
      const before = await last('movie', 'm1');
      for (const [k, v] of [
        ['kind', 'movie\u0000'],
        ['id', 'm1\u0000'],
        ['title', 'T\u0000'],
        ['link', 'http://x/\u0000'],
      ] as [string, string][]) {
        const fields: [string, string][] = [
          ['kind', 'movie'],
          ['id', 'm1'],
          ['title', 'T'],
          ['protocol', 'usenet'],
        ];
        const res = await grab(form([...fields.filter(([f]) => f !== k), [k, v]], NZB));
        expect(res.statusCode, `${k}: ${res.body}`).toBe(400);
        expectOkFalse(res, k);
      }
      const nulName = await grab(
        form(
          [
            ['kind', 'movie'],
            ['id', 'm1'],
            ['title', 'T'],
          ],
          { ...NZB, name: 'a\u0000.nzb' },
        ),
      );
      expectSafe(nulName, 'NUL filename');
      expect(await last('movie', 'm1')).toBe(before);
    });

    it('stores a clean multipart upload (the sweep did not break the route)', async () => {
      const res = await grab(
        form(
          [
            ['kind', 'movie'],
            ['id', 'ok1'],
            ['title', 'Clean'],
            ['protocol', 'usenet'],
          ],
          NZB,
        ),
      );
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ ok: true, queued: false, stored: true });
    });
  });
}
