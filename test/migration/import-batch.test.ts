// The import's batched writes and key look-ups go in by statement texts built once per shape (no
// query builder per batch): they must keep what the builder did on both engines.
import { afterEach, describe, expect, it } from 'vitest';
import { createImportSql } from '../../src/migration/import.sql.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';

const user = (id: string, createdAt?: string) => ({
  id,
  email: `${id}@example.com`,
  email_lower: `${id}@example.com`,
  password_hash: 'x',
  role: 'user', // a column named like a keyword
  created_at: createdAt,
});

for (const engine of sqlEngines()) {
  describe(`import batched writes (${engine})`, () => {
    let t: TestDatabase | undefined;
    afterEach(async () => {
      await t?.cleanup();
      t = undefined;
    });

    it('an undefined value leaves its column to the default, a row in a group of its own; a key look-up finds every row asked for', async () => {
      t = await createTestDatabase(engine);
      const sql = createImportSql(t.db.kysely, engine);
      const rows = [user('a'), user('b', '2020-01-02T03:04:05.006Z'), user('c')];
      // over one batch of 500, so a group spans two statements (and on PostgreSQL, one COPY)
      for (let i = 0; i < 600; i++) rows.push(user(`m${i}`));
      // the same columns in another key order: the same group, each value in its own column
      rows.push(Object.fromEntries(Object.entries(user('r', '2021-05-06T07:08:09.010Z')).reverse()) as ReturnType<typeof user>);
      await sql.insertRows('users', rows);
      const found = await sql.selectRowsByKeys('users', ['id', 'created_at', 'email'], 'id', ['a', 'b', 'c', 'm599', 'r', 'missing']);
      const byId = new Map(found.map((r) => [String(r.id), r]));
      expect([...byId.keys()].sort()).toEqual(['a', 'b', 'c', 'm599', 'r']);
      expect(byId.get('r')!.email).toBe('r@example.com');
      expect(new Date(String(byId.get('r')!.created_at)).toISOString()).toBe('2021-05-06T07:08:09.010Z');
      expect(new Date(String(byId.get('b')!.created_at)).toISOString()).toBe('2020-01-02T03:04:05.006Z');
      // the column default (now), not NULL
      for (const id of ['a', 'c', 'm599']) expect(new Date(String(byId.get(id)!.created_at)).getFullYear()).toBeGreaterThan(2020);
      expect(byId.get('m599')!.email).toBe('m599@example.com');
      expect(await sql.countRows('users')).toBe(604);
    });

    it('rows of a table linked to the library go in with the link relink() would give them (no rewrite of each row after)', async () => {
      t = await createTestDatabase(engine);
      const sql = createImportSql(t.db.kysely, engine);
      const item = (id: string) => [
        id,
        'movie',
        `T ${id}`,
        `t ${id}`,
        `t ${id}`,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        '2024-01-01T00:00:00.000Z',
      ];
      await sql.insertLibraryParams([...item('lib1'), ...item('lib2')], 2);
      const grab = (key: string, itemId: string, position: number) => ({ key, kind: 'movie', item_id: itemId, library_item_id: null, position });
      // over one batch of 500 ids (two look-ups), and as many rows as PostgreSQL sends by COPY
      const rows = [grab('movie:lib1', 'lib1', 0), grab('movies:lib1', 'lib1', 1), grab('movie:gone', 'gone', 2), grab('movie:lib2', 'lib2', 3)];
      for (let i = 0; i < 600; i++) rows.push(grab(`movie:x${i}`, `x${i}`, 4 + i));
      await sql.insertRows('grabs', rows);
      const found = await sql.selectRowsByKeys('grabs', ['key', 'library_item_id'], 'key', [
        'movie:lib1',
        'movies:lib1',
        'movie:gone',
        'movie:lib2',
        'movie:x599',
      ]);
      expect(Object.fromEntries(found.map((r) => [r.key, r.library_item_id]))).toEqual({
        'movie:lib1': 'lib1',
        'movies:lib1': 'lib1',
        'movie:gone': null,
        'movie:lib2': 'lib2',
        'movie:x599': null,
      });
    });
  });
}
