import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldForSearch, matchesTokens, searchTokens } from '../../src/library/library.search.js';
import { bearer } from '../helpers/auth.js';
import { type Actors, expectNotPolluted, expectOkFalse, expectSafe, isPublic, routeMatrix, setupActors } from './hostile.helpers.js';

/**
 * Query-string sweep: GET /api/library's q/limit/cursor/sort/kind with SQL and FTS5 syntax,
 * numbers out of range, repeated keys; then every GET route with the same hostile keys.
 * 200 or 400, never 500, and query text is data: results always match the search rule.
 */
const TITLES = [
  'Alpha',
  'Beta 2',
  'Gamma (1999)',
  "O'Brien",
  'Spider-Man: Near Home',
  'Quote "Me"',
  'Star*Wars',
  'And Then There Were None',
  'Caret^Top',
  'Minus-Sign',
  'Colon: Part',
  'Paren (Cut)',
  '100% Real',
  'Under_Score',
];

const Q_VALUES = [
  "' OR 1=1 --",
  "'; DROP TABLE library_items; --",
  '" OR ""="',
  '"',
  '""',
  '*',
  '**',
  'NEAR(',
  'NEAR(a b, 2)',
  'AND',
  'OR',
  'NOT',
  'a AND',
  '^',
  '^alpha',
  '-',
  '-alpha',
  ':',
  'title:alpha',
  '(',
  ')',
  '(alpha',
  'alpha)',
  '{alpha}',
  '%',
  '_',
  '\\',
  "\\'",
  'a\'b"c',
  '%00',
  '\u202e',
  '🎬',
  'x'.repeat(500),
  'x'.repeat(501),
  ' ',
  '+',
  'a:*',
  "alpha' & 'beta",
  '!alpha',
  'alpha <-> beta',
  'alpha | beta',
  '$1',
  '?',
  '\t\n',
];

const LIMITS = ['0', '-1', '1', '500', '501', '1e3', '1.5', '99999999999999999999', 'NaN', '', ' 1', '0x10', '1;', 'null'];
const CURSORS = ['', 'garbage', 'eyJ9', "' OR 1=1 --", 'x'.repeat(2000), 'x'.repeat(2001), '%00', 'eyJrZXkiOiJ6Iiwic2VxIjotMX0', '{"seq":1}', '..'];
const SORTS = ['', 'title', '-title', 'createdAt', '-createdAt', 'title;DROP TABLE x', 'title desc', '__proto__', 'seq', '--title', 'TITLE'];
const KINDS = ['', 'movie', 'series', 'music', 'book', "movie' OR '1'='1", '__proto__', 'MOVIE', 'movie ', 'constructor'];

const enc = encodeURIComponent;

for (const [engine, phase] of routeMatrix()) {
  describe(`hostile query strings on ${engine}/${phase}`, () => {
    let a: Actors;
    const get = (url: string) => a.t.app.inject({ method: 'GET', url, headers: bearer(a.user) });

    beforeAll(async () => {
      a = await setupActors(engine, phase);
      for (const title of TITLES) {
        const res = await a.t.app.inject({ method: 'POST', url: '/api/library', headers: bearer(a.admin), payload: { kind: 'movie', title } });
        expect(res.statusCode, res.body).toBe(200);
      }
    });
    afterAll(async () => a?.t.close());

    it('treats q as data: 200 or 400, and every hit matches the search rule', async () => {
      for (const q of Q_VALUES) {
        const res = await get(`/api/library?q=${enc(q)}&limit=100`);
        const l = `q=${JSON.stringify(q.slice(0, 40))}`;
        expectSafe(res, l);
        expect([200, 400], `${l}: ${res.body.slice(0, 200)}`).toContain(res.statusCode);
        if (res.statusCode === 400) {
          expectOkFalse(res, l);
          continue;
        }
        const body = res.json() as { items: { title: string }[]; total: number };
        const tokens = searchTokens(q);
        for (const item of body.items) {
          expect(matchesTokens(foldForSearch(item.title), tokens), `${l} returned ${item.title}`).toBe(true);
        }
        expect(body.total, l).toBe(body.items.length);
      }
    });

    it("finds nothing for ' OR 1=1 -- and only O'Brien for O'Brien", async () => {
      const sqlish = await get(`/api/library?q=${enc("' OR 1=1 --")}`);
      expect(sqlish.statusCode).toBe(200);
      expect(sqlish.json().items).toEqual([]);
      const drop = await get(`/api/library?q=${enc("'; DROP TABLE library_items; --")}`);
      expect(drop.json().items).toEqual([]);
      const obrien = await get(`/api/library?q=${enc("O'Brien")}`);
      expect(obrien.json().items.map((i: { title: string }) => i.title)).toEqual(["O'Brien"]);
      const all = await get('/api/library');
      expect(all.json().items).toHaveLength(TITLES.length + 1); // + the helper's "Target"
    });

    it('answers hostile limit, cursor, sort and kind 200 or 400', async () => {
      const cases = [
        ...LIMITS.map((v) => `limit=${enc(v)}`),
        ...CURSORS.map((v) => `cursor=${enc(v)}`),
        ...SORTS.map((v) => `sort=${enc(v)}`),
        ...KINDS.map((v) => `kind=${enc(v)}`),
        'limit=1&limit=2',
        'q=a&q=b',
        'sort=title&sort=-title',
        'kind=movie&kind=series',
        'cursor=a&cursor=b',
        'q[]=a',
        'q[$ne]=x',
        '__proto__[polluted]=1',
        'constructor[prototype][polluted]=1',
        'limit',
        'q',
        '&&&',
        '=x',
      ];
      for (const qs of cases) {
        const res = await get(`/api/library?${qs}`);
        expectSafe(res, qs);
        expect([200, 400], `${qs}: ${res.body.slice(0, 200)}`).toContain(res.statusCode);
        if (res.statusCode === 400) expectOkFalse(res, qs);
        expectNotPolluted();
      }
    });

    it('answers a NUL in the query 400 on every engine', async () => {
      for (const qs of ['q=%00', 'q=a%00b', 'kind=movie%00', 'cursor=%00']) {
        const res = await get(`/api/library?${qs}`);
        expect(res.statusCode, `${qs}: ${res.body}`).toBe(400);
        expectOkFalse(res, qs);
      }
    });

    it('walks every page with a valid cursor and refuses a tampered one', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await get(`/api/library?limit=4${cursor ? `&cursor=${enc(cursor)}` : ''}`);
        expect(res.statusCode, res.body).toBe(200);
        const body = res.json() as { items: { id: string }[]; nextCursor: string | null };
        seen.push(...body.items.map((i) => i.id));
        cursor = body.nextCursor;
        if (cursor) {
          const tampered = await get(`/api/library?limit=4&cursor=${enc(`${cursor.slice(0, -2)}!!`)}`);
          expectSafe(tampered, 'tampered cursor');
        }
      } while (cursor);
      expect(new Set(seen).size).toBe(TITLES.length + 1);
    });

    it('never answers 5xx to hostile query keys on any GET route', async () => {
      const gets = a.routes.filter((r) => r.method === 'GET');
      const hostile = [
        `q=${enc("' OR 1=1 --")}`,
        'kind=%00',
        'id=%00&kind=movie',
        `id=${'x'.repeat(10_000)}&kind=movie`,
        'start=NaN&end=-1e309',
        'kind[]=a&id[]=b',
        'path=..%2F..%2Fetc%2Fpasswd',
        '__proto__[polluted]=1',
        'limit=-1&cursor=%ED%A0%80',
        '%',
        'a=%ZZ',
      ];
      for (const r of gets) {
        for (const qs of hostile) {
          const url = `${r.url.replace(/:[A-Za-z0-9_]+/g, 'x')}?${qs}`;
          const res = await a.t.app.inject({ method: 'GET', url, headers: isPublic(r) ? {} : bearer(a.admin) });
          expectSafe(res, `${r.url}?${qs.slice(0, 60)}`, { allowPaths: r.url.includes('organizer') });
          expectNotPolluted();
        }
      }
    });
  });
}
