/**
 * The library's read-back check (verify.ts verifyLibrary) counts library_items only where the
 * count tells something: after a digest that did not match (rows the file does not hold), and when
 * library.json is absent. Both messages name how many items the database holds beyond the file.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateLegacyDir } from '../../bench/generate-legacy.js';
import { createImportSql } from '../../src/migration/import.sql.js';
import { importLibrary } from '../../src/migration/library-import.js';
import { readSnapshot } from '../../src/migration/snapshot.js';
import { verifyAgainstDatabase } from '../../src/migration/verify.js';
import { createSecretBox } from '../../src/security/secret-box.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';

const box = createSecretBox('verify-library-count-key-0123456789abcdef');

for (const engine of sqlEngines()) {
  describe(`library read-back: items the file does not hold (${engine})`, () => {
    let t: TestDatabase | undefined;
    afterEach(async () => {
      await t?.cleanup();
      t = undefined;
    });

    it('names how many items the database holds beyond library.json, digest or not, and when library.json is gone', async () => {
      t = await createTestDatabase(engine);
      const dir = join(t.dir, 'legacy');
      await generateLegacyDir({ dir, items: 120, seed: 9 });
      const library = async () => (await readSnapshot({ dir, legacyKey: undefined, worker: false })).filter((s) => s.spec.file === 'library.json');
      const snapshot = await library();
      await t.db.kysely.transaction().execute(async (trx) => {
        const lib = await importLibrary({ sql: createImportSql(trx, t!.db.engine), dir, present: true, importTime: '2026-01-01T00:00:00.000Z', worker: false });
        const check = (snap = snapshot, libraryDigest = lib.digest) =>
          verifyAgainstDatabase({ kysely: trx, engine: t!.db.engine, dir, snapshot: snap, open: box, sqlite: t!.db.sqlite, libraryDigest });
        const clean = await check();
        expect(clean.mismatches).toEqual([]);

        const row = await trx.selectFrom('library_items').selectAll().orderBy('seq').limit(1).executeTakeFirstOrThrow();
        const { seq: _seq, ...copy } = row as Record<string, unknown>;
        await trx
          .insertInto('library_items')
          .values({ ...copy, id: 'not-in-the-file', title: 'Stray', title_lower: 'stray', search_text: 'stray' } as never)
          .execute();
        const stray = await check();
        expect(stray.mismatches).toContainEqual({ file: 'library.json', locator: '', field: '', problem: '1 items in the database are not in library.json' });

        rmSync(join(dir, 'library.json'));
        const gone = await check(await library(), undefined);
        expect(gone.mismatches).toContainEqual({
          file: 'library.json',
          locator: '',
          field: '',
          problem: '121 items in the database but library.json does not exist',
        });
      });
    }, 60_000);
  });
}
