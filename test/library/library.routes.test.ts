import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_INDEXED_BYTES } from '../../src/db/indexed-limit.js';
import type { LibraryItem } from '../../src/library/library.types.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import { phaseMatrix } from '../helpers/matrix.js';

interface Page {
  items: LibraryItem[];
  total: number;
  nextCursor: string | null;
}

for (const [engine, phase] of phaseMatrix()) {
  describe(`library routes (${engine}, ${phase})`, () => {
    let t: TestApp;
    let admin: { authorization: string };
    let user: { authorization: string };
    const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, headers = admin) =>
      t.app.inject({ method, url, payload, headers });
    const fileItems = () => (JSON.parse(readFileSync(join(t.configDir, 'library.json'), 'utf8')) as { items: LibraryItem[] }).items;
    const apiItems = async () => (await call('GET', '/api/library')).json<{ items: LibraryItem[] }>().items;
    const dual = phase.startsWith('dual');

    beforeAll(async () => {
      t = await createTestApp({ engine, phase });
      const a = await registerAdmin(t.app);
      admin = bearer(a.accessToken);
      user = bearer((await registerUser(t.app, a.accessToken)).accessToken);
    });
    afterAll(async () => t.close());

    it('needs a token; writes need an admin', async () => {
      expect((await t.app.inject({ method: 'GET', url: '/api/library' })).statusCode).toBe(401);
      expect((await call('GET', '/api/library', undefined, user)).json()).toEqual({ items: [] });
      const res = await call('POST', '/api/library', { kind: 'movie', title: 'X' }, user);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ ok: false, error: 'Insufficient permissions' });
      for (const [method, url] of [
        ['PATCH', '/api/library/x'],
        ['DELETE', '/api/library/x'],
        ['POST', '/api/library/artwork'],
      ] as const) {
        expect((await call(method, url, { title: 'x', url: 'https://x.test/a.jpg' }, user)).statusCode).toBe(403);
      }
      expect((await t.app.inject({ method: 'GET', url: '/api/library/x' })).statusCode).toBe(401);
    });

    it('creates with a legacy id, returns an existing title unchanged, 409 on a taken id', async () => {
      const res = await call('POST', '/api/library', { kind: 'movie', title: 'Heat', posterUrl: 'https://img.test/heat.jpg', extra: 'stripped' });
      expect(res.statusCode).toBe(200);
      const { ok, item } = res.json<{ ok: boolean; item: LibraryItem }>();
      expect(ok).toBe(true);
      expect(item.id).toMatch(/^[0-9a-z]{14}$/);
      expect(item).toEqual({ id: item.id, kind: 'movie', title: 'Heat', posterUrl: 'https://img.test/heat.jpg' });
      const again = await call('POST', '/api/library', { id: 'other', kind: 'movie', title: 'HEAT' });
      expect(again.json()).toEqual({ ok: true, item });
      const custom = await call('POST', '/api/library', { id: 'the-wire', kind: 'series', title: 'The Wire' });
      expect(custom.json()).toEqual({ ok: true, item: { id: 'the-wire', kind: 'series', title: 'The Wire' } });
      const dup = await call('POST', '/api/library', { id: 'the-wire', kind: 'movie', title: 'Other' });
      expect(dup.statusCode).toBe(409);
      expect(dup.json()).toEqual({ ok: false, error: 'duplicate_id' });
    });

    it('answers 400 naming the field for a bad body', async () => {
      const cases: [object, string][] = [
        [{ kind: 'movies', title: 'x' }, 'kind'],
        [{ kind: 'movie' }, 'title'],
        [{ kind: 'movie', title: '   ' }, 'title'],
        [{ kind: 'movie', title: 'x', posterUrl: '/relative.jpg' }, 'posterUrl'],
        [{ kind: 'movie', title: 'x', backgroundUrl: 'javascript:alert(1)' }, 'backgroundUrl'],
      ];
      for (const [body, field] of cases) {
        const res = await call('POST', '/api/library', body);
        expect(res.statusCode).toBe(400);
        const b = res.json<{ ok: boolean; error: string }>();
        expect(b.ok).toBe(false);
        expect(b.error).toContain(field);
      }
      // a wrong type is told apart from a missing value
      const typed = await call('POST', '/api/library', { kind: 5, title: ['x'] });
      expect(typed.json().error).toMatch(/^kind: must be one of [a-z, ]+; title: must be a string$/);
      expect((await call('POST', '/api/library', { kind: 'movie' })).json().error).toBe('title: is required');
    });

    it('refuses ids and titles longer than an index holds (MAX_INDEXED_BYTES), naming the field, on create and update', async () => {
      // 2,800 bytes, half of it incompressible: PostgreSQL's b-tree refused it with a 500.
      const long = randomBytes(700).toString('hex') + 'é'.repeat(700);
      const before = await apiItems();
      for (const [method, url, body, field] of [
        ['POST', '/api/library', { kind: 'movie', title: long }, 'title'],
        ['POST', '/api/library', { kind: 'movie', title: 'Fine', id: 'x'.repeat(MAX_INDEXED_BYTES + 1) }, 'id'],
        ['PATCH', '/api/library/the-wire', { title: long }, 'title'],
      ] as const) {
        const res = await call(method, url, body);
        expect(res.statusCode, `${method} ${field}`).toBe(400);
        expect(res.json()).toEqual({
          ok: false,
          error: `${field}: must be at most ${MAX_INDEXED_BYTES} bytes long in UTF-8 (it is ${field === 'id' ? MAX_INDEXED_BYTES + 1 : 2800})`,
        });
      }
      expect(await apiItems()).toEqual(before);
      if (dual) expect(fileItems()).toEqual(before);
      // Exactly the limit is stored, on every engine and phase.
      const edge = await call('POST', '/api/library', { kind: 'book', title: 'b'.repeat(MAX_INDEXED_BYTES) });
      expect(edge.statusCode).toBe(200);
      expect((await call('DELETE', `/api/library/${edge.json().item.id}`)).statusCode).toBe(200);
    });

    it('gets by id or exact title; 404 not_found', async () => {
      expect((await call('GET', '/api/library/the-wire', undefined, user)).json()).toEqual({
        ok: true,
        item: { id: 'the-wire', kind: 'series', title: 'The Wire' },
      });
      expect((await call('GET', '/api/library/The%20Wire', undefined, user)).json<{ item: LibraryItem }>().item.id).toBe('the-wire');
      const miss = await call('GET', '/api/library/movies', undefined, user);
      expect(miss.statusCode).toBe(404);
      expect(miss.json()).toEqual({ ok: false, error: 'not_found' });
    });

    it('patches: null removes, blank title ignored, 409 duplicate_title, 404 not_found', async () => {
      const heat = (await call('GET', '/api/library/Heat')).json<{ item: LibraryItem }>().item;
      let res = await call('PATCH', `/api/library/${heat.id}`, { posterUrl: null, backgroundUrl: 'https://img.test/bg.jpg', title: '  ' });
      expect(res.json()).toEqual({ ok: true, item: { id: heat.id, kind: 'movie', title: 'Heat', backgroundUrl: 'https://img.test/bg.jpg' } });
      res = await call('PATCH', '/api/library/the-wire', { title: 'heat', kind: 'movie' });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toEqual({ ok: false, error: 'duplicate_title' });
      res = await call('PATCH', '/api/library/nope', { title: 'x' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ ok: false, error: 'not_found' });
      res = await call('PATCH', '/api/library/the-wire', { posterUrl: 'not a url' });
      expect(res.statusCode).toBe(400);
      expect(res.json<{ error: string }>().error).toContain('posterUrl');
    });

    it('sets artwork on the first exact title match', async () => {
      let res = await call('POST', '/api/library/artwork', { title: 'The Wire', url: 'https://img.test/wire.jpg' });
      expect(res.json()).toEqual({ ok: true, item: { id: 'the-wire', kind: 'series', title: 'The Wire', posterUrl: 'https://img.test/wire.jpg' } });
      res = await call('POST', '/api/library/artwork', { title: 'The Wire', tab: 'background', url: 'https://img.test/wire-bg.jpg' });
      expect(res.json<{ item: LibraryItem }>().item.backgroundUrl).toBe('https://img.test/wire-bg.jpg');
      res = await call('POST', '/api/library/artwork', { title: 'The Wire', tab: 'banner', url: 'https://img.test/banner.jpg' });
      expect(res.json<{ item: LibraryItem }>().item).not.toHaveProperty('banner');
      res = await call('POST', '/api/library/artwork', { title: 'the wire', url: 'https://img.test/x.jpg' });
      expect(res.statusCode).toBe(404);
      expect((await call('POST', '/api/library/artwork', { title: 'The Wire', url: 'nope' })).statusCode).toBe(400);
      if (dual) expect(fileItems()).toEqual(await apiItems());
    });

    it('deletes without cascading to wanted', async () => {
      await call('POST', '/api/wanted', { id: 'the-wire', title: 'The Wire', kind: 'series' }, user);
      const res = await call('DELETE', '/api/library/the-wire');
      expect(res.json<{ ok: boolean; item: LibraryItem }>()).toMatchObject({ ok: true, item: { id: 'the-wire', title: 'The Wire' } });
      const again = await call('DELETE', '/api/library/the-wire');
      expect(again.statusCode).toBe(404);
      expect(again.json()).toEqual({ ok: false, error: 'not_found' });
      const wanted = (await call('GET', '/api/wanted', undefined, user)).json<{ items: { id: string }[] }>();
      expect(wanted.items.map((w) => w.id)).toEqual(['the-wire']);
      if (dual) expect(fileItems()).toEqual(await apiItems());
    });

    describe('paged list', () => {
      const titles: string[] = [];
      beforeAll(async () => {
        await call('DELETE', `/api/library/${(await call('GET', '/api/library/Heat')).json<{ item: LibraryItem }>().item.id}`);
        const base = ['Amélie', 'Ame\u0301lie', 'amelie', 'Alien', 'Aliens', 'Spider-Man', 'Zodiac', 'Éclair', '千と千尋', 'heat'];
        let n = 0;
        for (const kind of ['movie', 'series', 'book'] as const) {
          for (const b of base) {
            const title = `${b} ${n % 3}`; // shared suffixes: ties within kinds
            const r = await call('POST', '/api/library', { id: `i${String(n).padStart(2, '0')}`, kind, title });
            if (r.json<{ item: LibraryItem }>().item.id === `i${String(n).padStart(2, '0')}`) titles.push(title);
            n++;
          }
        }
      });

      const walk = async (query: string) => {
        const seen: LibraryItem[] = [];
        let cursor: string | null = null;
        const totals = new Set<number>();
        for (let i = 0; i < 100; i++) {
          const res = await call('GET', `/api/library?${query}${cursor ? `&cursor=${cursor}` : ''}`, undefined, user);
          expect(res.statusCode).toBe(200);
          const page = res.json<Page>();
          totals.add(page.total);
          seen.push(...page.items);
          cursor = page.nextCursor;
          if (!cursor) break;
        }
        return { seen, totals };
      };

      it('keeps the legacy {items} without paging parameters', async () => {
        const res = await call('GET', '/api/library?_=123', undefined, user);
        expect(res.headers['content-type']).toContain('application/json');
        const body = res.json();
        expect(Object.keys(body)).toEqual(['items']);
        expect(body.items.map((i: LibraryItem) => i.title)).toEqual(titles);
      });

      for (const sort of ['title', '-title', 'createdAt', '-createdAt']) {
        it(`walks every item exactly once (sort ${sort})`, async () => {
          const { seen, totals } = await walk(`sort=${sort}&limit=4`);
          expect(seen.length).toBe(titles.length);
          expect(new Set(seen.map((i) => i.id)).size).toBe(titles.length);
          expect([...totals]).toEqual([titles.length]);
          if (sort.endsWith('title')) {
            const keys = seen.map((i) => Buffer.from(i.title.toLowerCase()));
            for (let k = 1; k < keys.length; k++) expect(Buffer.compare(keys[k - 1], keys[k]) * (sort.startsWith('-') ? -1 : 1)).toBeLessThanOrEqual(0);
          }
          if (sort === 'createdAt') expect(seen.map((i) => i.title)).toEqual(titles);
        });
      }

      it('defaults to sort=title, limit 100', async () => {
        const page = (await call('GET', '/api/library?limit=100', undefined, user)).json<Page>();
        const dflt = (await call('GET', '/api/library?q=', undefined, user)).json<Page>();
        expect(dflt).toEqual(page);
        expect(page.nextCursor).toBeNull();
        expect(page.total).toBe(titles.length);
      });

      it('searches titles with diacritics folded and prefixes', async () => {
        const { seen } = await walk('q=amelie&limit=2');
        expect(seen.length).toBe(9);
        expect((await walk('q=AMÉL%200&kind=movie')).seen.map((i) => i.title).sort()).toEqual(
          ['Ame\u0301lie 1', 'Amélie 0', 'amelie 2'].filter((x) => x.endsWith('0')),
        );
        expect((await walk('q=spider-ma')).seen.length).toBe(3);
        expect((await walk('q=%E5%8D%83%E3%81%A8')).seen.length).toBe(3);
        expect((await walk('q=alien')).seen.length).toBe(6);
        expect((await walk('q=aliens')).seen.length).toBe(3);
        const weird = await call('GET', `/api/library?q=${encodeURIComponent('"al*" NEAR( OR )^')}`, undefined, user);
        expect(weird.statusCode).toBe(200);
        expect(weird.json<Page>().total).toBe(0);
      });

      it('filters by kind', async () => {
        const { seen, totals } = await walk('kind=series&sort=-createdAt&limit=3');
        expect(seen.every((i) => i.kind === 'series')).toBe(true);
        expect(seen.length).toBe(10);
        expect([...totals]).toEqual([10]);
      });

      it('answers 400 naming the parameter', async () => {
        for (const [qs, name] of [
          ['limit=0', 'limit'],
          ['limit=501', 'limit'],
          ['limit=abc', 'limit'],
          ['sort=year', 'sort'],
          ['kind=movies', 'kind'],
          ['cursor=xyz', 'cursor'],
          [`cursor=${Buffer.from('["-title","a",1]').toString('base64url')}`, 'cursor'],
        ]) {
          const res = await call('GET', `/api/library?${qs}`, undefined, user);
          expect(res.statusCode, qs).toBe(400);
          expect(res.json<{ ok: boolean; error: string }>().error).toContain(name);
        }
      });

      if (dual) {
        it('keeps library.json equal to the API', async () => {
          expect(fileItems()).toEqual(await apiItems());
        });
      }
    });
  });
}
