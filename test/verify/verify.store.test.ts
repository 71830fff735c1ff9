import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createVerifyJson } from '../../src/verify/verify.json.js';
import { createVerifyJobsSql, createVerifySql } from '../../src/verify/verify.sql.js';
import type { VerifyResultRecord } from '../../src/verify/verify.types.js';
import { createTestDatabase, sqlEngines, type TestDatabase, tempDir } from '../helpers/engines.js';

const rec = (kind: string, id: string, title: string, extra: Record<string, unknown> = {}): VerifyResultRecord => ({
  phase: 'all',
  issues: [],
  analyzedAt: '2025-01-01T00:00:00.000Z',
  topSeverity: 'none',
  kind,
  id,
  title,
  ...extra,
});

for (const engine of sqlEngines()) {
  describe(`verify sql store (${engine})`, () => {
    let t: TestDatabase | undefined;
    afterEach(async () => {
      await t?.cleanup();
      t = undefined;
    });

    it('upserts results: new keys go last, replaced keys keep their place', async () => {
      t = await createTestDatabase(engine);
      const s = createVerifySql(t.db.kysely);
      expect(await s.getResult('movie:a')).toBeUndefined();
      await s.putResult('movie:a', rec('movie', 'a', 'A'));
      await s.putResult('movies:b', rec('movies', 'b', 'B', { path: '/b.mkv' }));
      await s.putResult('movie:a', rec('movie', 'a', 'A2', { unknown: { x: 1 } }));
      expect(await s.getResult('movie:a')).toEqual(rec('movie', 'a', 'A2', { unknown: { x: 1 } }));
      expect((await s.listResults()).map(([k, r]) => [k, r.title])).toEqual([
        ['movie:a', 'A2'],
        ['movies:b', 'B'],
      ]);
    });

    it('links a result to the library item with the same id, and unlinks it when the item goes', async () => {
      t = await createTestDatabase(engine);
      await t.db.kysely.insertInto('library_items').values({ id: 'lib1', kind: 'movie', title: 'Heat', title_lower: 'heat', search_text: 'heat' }).execute();
      const s = createVerifySql(t.db.kysely);
      await s.putResult('movies:lib1', rec('movies', 'lib1', 'Heat'));
      await s.putResult('movie:other', rec('movie', 'other', 'X'));
      const link = async (key: string) =>
        (await t!.db.kysely.selectFrom('verify_results').select('library_item_id').where('key', '=', key).executeTakeFirstOrThrow()).library_item_id;
      expect(await link('movies:lib1')).toBe('lib1');
      expect(await link('movie:other')).toBeNull();
      await t.db.kysely.deleteFrom('library_items').where('id', '=', 'lib1').execute();
      expect(await link('movies:lib1')).toBeNull();
      expect(await s.getResult('movies:lib1')).toEqual(rec('movies', 'lib1', 'Heat'));
    });

    it('persists verify jobs with the legacy shape', async () => {
      t = await createTestDatabase(engine);
      const jobs = createVerifyJobsSql(t.db.kysely);
      await jobs.insert({
        id: 'j1',
        status: 'queued',
        input: { phase: 'all', kind: 'movie', id: 'x', title: 'T', path: '/x.mkv' },
        enqueuedAt: '2025-01-01T00:00:00.000Z',
      });
      expect(await jobs.get('j1')).toEqual({
        id: 'j1',
        status: 'queued',
        input: { phase: 'all', kind: 'movie', id: 'x', title: 'T', path: '/x.mkv' },
        enqueuedAt: '2025-01-01T00:00:00.000Z',
      });
      const raw = await t.db.kysely.selectFrom('verify_jobs').select('status').where('id', '=', 'j1').executeTakeFirstOrThrow();
      expect(raw.status).toBe('pending');
      await jobs.markRunning('j1', '2025-01-01T00:00:01.000Z');
      expect((await jobs.get('j1'))?.status).toBe('running');
      const result = { phase: 'all', issues: [], analyzedAt: '2025-01-01T00:00:01.500Z', topSeverity: 'none' as const };
      await jobs.markCompleted('j1', result, '2025-01-01T00:00:02.000Z');
      expect(await jobs.get('j1')).toMatchObject({ status: 'completed', result, finishedAt: '2025-01-01T00:00:02.000Z' });
      await jobs.markFailed('j1', 'boom', '2025-01-01T00:00:03.000Z');
      expect(await jobs.get('j1')).toMatchObject({ status: 'failed', error: 'boom' });
      expect(await jobs.get('missing')).toBeUndefined();
    });
  });
}

describe('verify json store', () => {
  it('writes verify-results.json as the legacy server does', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const s = createVerifyJson({ configDir: dir });
      expect(await s.getResult('movie:a')).toBeUndefined();
      await s.putResult('movie:a', rec('movie', 'a', 'A'));
      await s.putResult('movie:b', rec('movie', 'b', 'B'));
      await s.putResult('movie:a', rec('movie', 'a', 'A2'));
      const text = readFileSync(join(dir, 'verify-results.json'), 'utf8');
      expect(text).toBe(JSON.stringify({ 'movie:a': rec('movie', 'a', 'A2'), 'movie:b': rec('movie', 'b', 'B') }, null, 2));
      expect((await s.listResults()).map(([k]) => k)).toEqual(['movie:a', 'movie:b']);
    } finally {
      cleanup();
    }
  });
});
