import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { compileOnce } from '../../src/db/compiled.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';

for (const engine of sqlEngines()) {
  describe(`compileOnce (${engine})`, () => {
    let t: TestDatabase | undefined;
    afterEach(async () => {
      await t?.cleanup();
      t = undefined;
    });

    it('runs the query compiled once with each call’s values, in slot order', async () => {
      t = await createTestDatabase(engine);
      const k = t.db.kysely;
      await k
        .insertInto('library_items')
        .values([
          { id: 'a', kind: 'movie', title: 'A', title_lower: 'a', search_text: 'a' },
          { id: 'b', kind: 'series', title: 'B', title_lower: 'b', search_text: 'b' },
          { id: 'c', kind: 'series', title: 'C', title_lower: 'c', search_text: 'c' },
        ] as never)
        .execute();
      // slots used out of order in the SQL: kind is slot 1, the limit slot 0
      const run = compileOnce(k, 2, (slot) =>
        k.selectFrom('library_items').select('id').where('kind', '=', slot<'movie' | 'series'>(1)).orderBy('id').limit(slot<number>(0)),
      );
      expect((await run([5, 'series'])).rows.map((r) => r.id)).toEqual(['b', 'c']);
      expect((await run([1, 'series'])).rows.map((r) => r.id)).toEqual(['b']);
      expect((await run([5, 'movie'])).rows.map((r) => r.id)).toEqual(['a']);
      await expect(run([5])).rejects.toThrow(/2 value\(s\) expected, got 1/);
    });

    it('refuses a query whose slot is not a bound parameter (inlined or unused)', async () => {
      t = await createTestDatabase(engine);
      const k = t.db.kysely;
      const inlined = compileOnce(k, 1, (slot) =>
        k
          .selectFrom('library_items')
          .select('id')
          .where('id', '=', sql.lit(slot<string>(0))),
      );
      await expect(inlined(['a'])).rejects.toThrow(/slot 0 is not a bound parameter/);
      const unused = compileOnce(k, 2, (slot) => k.selectFrom('library_items').select('id').where('id', '=', slot<string>(0)));
      await expect(unused(['a', 'b'])).rejects.toThrow(/slot 1 is not a bound parameter/);
    });
  });
}
