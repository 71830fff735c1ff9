import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libraryItemToRow } from '../../src/library/library.codec.js';
import type { LibraryItem } from '../../src/library/library.types.js';
import type { WantedItem } from '../../src/wanted/wanted.types.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin } from '../helpers/auth.js';
import { phaseMatrix } from '../helpers/matrix.js';

for (const [engine, phase] of phaseMatrix()) {
  describe(`library + wanted under load (${engine}, ${phase})`, () => {
    let t: TestApp;
    let admin: { authorization: string };
    beforeAll(async () => {
      t = await createTestApp({ engine, phase });
      admin = bearer((await registerAdmin(t.app)).accessToken);
    });
    afterAll(async () => t.close());

    it('lands 200 concurrent writers (100 library + 100 wanted) without a 5xx', async () => {
      const requests = [];
      for (let i = 0; i < 100; i++) {
        requests.push(
          t.app.inject({ method: 'POST', url: '/api/library', headers: admin, payload: { kind: i % 2 ? 'movie' : 'series', title: `Title ${i}` } }),
        );
        requests.push(t.app.inject({ method: 'POST', url: '/api/wanted', headers: admin, payload: { id: `w${i}`, title: `Wanted ${i}`, kind: 'movies' } }));
      }
      const responses = await Promise.all(requests);
      expect(responses.filter((r) => r.statusCode !== 200).map((r) => `${r.statusCode} ${r.body}`)).toEqual([]);
      const library = (await t.app.inject({ method: 'GET', url: '/api/library', headers: admin })).json<{ items: LibraryItem[] }>().items;
      const wanted = (await t.app.inject({ method: 'GET', url: '/api/wanted', headers: admin })).json<{ items: WantedItem[] }>().items;
      expect(new Set(library.map((i) => i.title)).size).toBe(100);
      expect(new Set(library.map((i) => i.id)).size).toBe(100);
      expect(new Set(wanted.map((i) => i.id)).size).toBe(100);
      if (phase !== 'db') {
        const libFile = JSON.parse(readFileSync(join(t.configDir, 'library.json'), 'utf8')) as { items: LibraryItem[] };
        const wantedFile = JSON.parse(readFileSync(join(t.configDir, 'wanted.json'), 'utf8')) as { items: WantedItem[] };
        expect(libFile.items).toHaveLength(100);
        expect(wantedFile.items).toHaveLength(100);
        if (phase !== 'files') {
          expect(libFile.items).toEqual(library);
          expect(wantedFile.items).toEqual(wanted);
        }
      }
    });
  });
}

for (const [engine, phase] of phaseMatrix()) {
  describe(`big legacy {items} list (${engine}, ${phase})`, () => {
    let t: TestApp;
    afterAll(async () => t?.close());

    it('streams every item in insertion order, byte-identical to JSON.stringify', async () => {
      t = await createTestApp({ engine, phase });
      const admin = bearer((await registerAdmin(t.app)).accessToken);
      const items: LibraryItem[] = Array.from({ length: 4100 }, (_, i) => ({
        id: `bulk${i}`,
        kind: 'book',
        title: `Bulk ${i} “quoted” \\ é 🎵`,
        ...(i % 7 ? {} : { year: 1990 + (i % 30) }),
        metadata: { n: i },
        ...(i % 5 ? {} : { path: '/x' }),
      }));
      // Keys in the order the codec rebuilds them, so every phase can be compared byte for byte.
      // Seed both sides directly (before the first read), as an import would.
      if (phase !== 'db') writeFileSync(join(t.configDir, 'library.json'), JSON.stringify({ items }, null, 2));
      if (phase !== 'files') {
        await t.ctx.db.kysely.transaction().execute(async (trx) => {
          for (let i = 0; i < items.length; i += 500)
            await trx
              .insertInto('library_items')
              .values(items.slice(i, i + 500).map((x) => libraryItemToRow(x)))
              .execute();
        });
      }
      const res = await t.app.inject({ method: 'GET', url: '/api/library', headers: admin });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('application/json');
      expect(res.body).toBe(JSON.stringify({ items }));
      // The paged answer (serialized through the response schema) keeps unknown keys and key order too.
      const page = await t.app.inject({ method: 'GET', url: '/api/library?sort=createdAt&limit=500', headers: admin });
      expect(JSON.stringify(page.json().items)).toBe(JSON.stringify(items.slice(0, 500)));
      expect(page.json().total).toBe(items.length);
    });
  });
}
