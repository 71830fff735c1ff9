import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContentVerifyResult } from '../../src/verify/content.rules.js';
import { createContentChecksSql } from '../../src/verify/content.sql.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import { sqlEngines } from '../helpers/engines.js';

/** The whole answer of the fixture as v0.3 gave it (recorded before paging existed). */
const LEGACY = join(import.meta.dirname, '../fixtures/paged-lists/verify-results.json');

interface Item {
  id: string;
  path: string;
  passed: boolean;
  checkedAt: string;
}
interface Page {
  ok: true;
  items: Item[];
  total: number;
  passed: number;
  failed: number;
  nextCursor: string | null;
}

const check = (passed: boolean, n: number): ContentVerifyResult => ({
  ok: true,
  passed,
  issues: passed ? [] : [{ type: 'duration_too_short', severity: 'error', message: `short ${n}` } as ContentVerifyResult['issues'][number]],
  securityIssues: [],
  // in PostgreSQL's jsonb key order (shorter keys first), so the v0.3 bytes are the same on both engines
  metadata: { width: 1920, height: 1080, duration: 60 + n, container: 'matroska,webm' },
  checks: {
    securityCheck: 'pass',
    durationCheck: passed ? 'pass' : 'fail',
    aspectRatioCheck: 'skip',
    bitrateCheck: 'skip',
    qualityCheck: 'skip',
    corruptionCheck: 'skip',
  },
  verifiedAt: '2025-01-01T00:00:00.000Z',
});

for (const engine of sqlEngines()) {
  describe(`verify queue results paging (${engine})`, () => {
    let t: TestApp;
    let user: { authorization: string };
    const get = (url: string) => t.app.inject({ method: 'GET', url, headers: user });
    const save = (path: string, passed: boolean, n: number, at: string, jobId: string | null = `job${n}`) =>
      createContentChecksSql(t.ctx.db.kysely, t.ctx.db.engine).save(path, check(passed, n), jobId, at);

    async function walk(limit: number, between?: () => Promise<void>): Promise<Page[]> {
      const pages: Page[] = [];
      let url = `/api/verify/queue/results?limit=${limit}`;
      for (;;) {
        const res = await get(url);
        expect(res.statusCode, res.body).toBe(200);
        pages.push(res.json<Page>());
        const next = pages.at(-1)!.nextCursor;
        if (next === null) return pages;
        if (pages.length === 1) await between?.();
        url = `/api/verify/queue/results?limit=${limit}&cursor=${encodeURIComponent(next)}`;
      }
    }

    beforeAll(async () => {
      t = await createTestApp({ engine });
      const a = await registerAdmin(t.app);
      user = bearer((await registerUser(t.app, a.accessToken)).accessToken);
      // 24 checks by queue jobs, three to a time (ties ordered by path), and two made directly (not listed)
      for (let n = 0; n < 24; n++) {
        const at = new Date(Date.UTC(2025, 1, 1 + ((n * 5) % 8), 9)).toISOString();
        await save(`/media/movies/f${String(n).padStart(2, '0')}.mkv`, n % 4 !== 1, n, at);
      }
      await save('/media/movies/direct-a.mkv', true, 90, '2025-02-03T09:00:00.000Z', null);
      await save('/media/movies/direct-b.mkv', false, 91, '2030-01-01T00:00:00.000Z', null);
    });
    afterAll(async () => t.close());

    it('without limit or cursor the answer is the v0.3 bytes', async () => {
      if (process.env.MEDIAOS_RECORD_LEGACY === '1' && engine === 'sqlite') writeFileSync(LEGACY, (await get('/api/verify/queue/results')).body);
      expect((await get('/api/verify/queue/results')).body).toBe(readFileSync(LEGACY, 'utf8'));
    });

    it('pages in the whole answer order with exact counts; the last page says nextCursor null', async () => {
      const whole = (await get('/api/verify/queue/results')).json<{ results: Omit<Item, 'checkedAt'>[] }>().results;
      for (const [limit, sizes] of [
        [10, [10, 10, 4]],
        [8, [8, 8, 8]],
        [24, [24]],
      ] as const) {
        const pages = await walk(limit);
        expect(pages.map((p) => p.items.length)).toEqual(sizes);
        expect(pages.every((p) => p.total === 24 && p.passed === 18 && p.failed === 6)).toBe(true);
        expect(pages.flatMap((p) => p.items.map(({ checkedAt: _c, ...r }) => r))).toEqual(whole);
      }
      const first = (await walk(3))[0]!.items;
      expect(first.map((i) => [i.checkedAt, i.path.slice(-7)])).toEqual([
        ['2025-02-08T09:00:00.000Z', 'f03.mkv'],
        ['2025-02-08T09:00:00.000Z', 'f11.mkv'],
        ['2025-02-08T09:00:00.000Z', 'f19.mkv'],
      ]);
    });

    it('checks written between pages are neither repeated nor skipped', async () => {
      const before = (await walk(500))[0]!.items.map((i) => i.path);
      const pages = await walk(5, async () => {
        await save('/media/movies/new-newest.mkv', true, 50, '2026-01-01T00:00:00.000Z');
        await save('/media/movies/new-oldest.mkv', true, 51, '2000-01-01T00:00:00.000Z');
        await save('/media/movies/f00.mkv', true, 0, '2025-02-01T09:00:00.000Z'); // re-checked at the same time
      });
      const paths = pages.flatMap((p) => p.items.map((i) => i.path));
      expect(new Set(paths).size).toBe(paths.length);
      expect(paths).toEqual([...before, '/media/movies/new-oldest.mkv']);
      expect(pages.at(-1)!.total).toBe(26);
    });

    it('a bad limit or cursor is a 400 naming it', async () => {
      for (const [query, field] of [
        ['limit=x', 'limit'],
        ['limit=0', 'limit'],
        ['limit=501', 'limit'],
        ['cursor=', 'cursor'],
        ['cursor=!!', 'cursor'],
        [`cursor=${Buffer.from('[1,"x"]').toString('base64url')}`, 'cursor'],
        [`cursor=${Buffer.from('{"a":1}').toString('base64url')}`, 'cursor'],
      ] as const) {
        const res = await get(`/api/verify/queue/results?${query}`);
        expect(res.statusCode, query).toBe(400);
        expect(res.body, query).toContain(field);
      }
      expect((await t.app.inject({ method: 'GET', url: '/api/verify/queue/results?limit=5' })).statusCode).toBe(401);
    });
  });
}
