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
      await sql.insertRows('users', rows);
      const found = await sql.selectRowsByKeys('users', ['id', 'created_at', 'email'], 'id', ['a', 'b', 'c', 'm599', 'missing']);
      const byId = new Map(found.map((r) => [String(r.id), r]));
      expect([...byId.keys()].sort()).toEqual(['a', 'b', 'c', 'm599']);
      expect(new Date(String(byId.get('b')!.created_at)).toISOString()).toBe('2020-01-02T03:04:05.006Z');
      // the column default (now), not NULL
      for (const id of ['a', 'c', 'm599']) expect(new Date(String(byId.get(id)!.created_at)).getFullYear()).toBeGreaterThan(2020);
      expect(byId.get('m599')!.email).toBe('m599@example.com');
      expect(await sql.countRows('users')).toBe(603);
    });
  });
}
