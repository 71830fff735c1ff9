/** The read-back digest of the keyed files (keyed-digest.ts): what it takes as equal, and what sends the check back to the records. */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateLegacyDir } from '../../bench/generate-legacy.js';
import { SetDigest } from '../../src/migration/digest.js';
import { createImportSql } from '../../src/migration/import.sql.js';
import { addKeyedRow } from '../../src/migration/keyed-digest.js';
import { writeKeyed } from '../../src/migration/keyed-import.js';
import { LEGACY_FILES } from '../../src/migration/legacy-files.js';
import { readSnapshot } from '../../src/migration/snapshot.js';
import { verifyAgainstDatabase } from '../../src/migration/verify.js';
import { createSecretBox } from '../../src/security/secret-box.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';

const box = createSecretBox('keyed-digest-test-key-0123456789abcdef');
const KEYED = ['wanted.json', 'grabs.json', 'verify-results.json'];

for (const engine of sqlEngines()) {
  describe(`keyed files' read-back digest (${engine})`, () => {
    let t: TestDatabase | undefined;
    afterEach(async () => {
      await t?.cleanup();
      t = undefined;
    });

    it('matches the rows written; a row changed or added before the check is named by the record-by-record fallback', async () => {
      t = await createTestDatabase(engine);
      const dir = join(t.dir, 'legacy');
      await generateLegacyDir({ dir, items: 400, seed: 3 });
      const snapshot = (await readSnapshot({ dir, legacyKey: undefined, deferKeyed: true, worker: false })).filter((s) => KEYED.includes(s.spec.file));
      expect(snapshot.map((s) => s.spec.file).sort()).toEqual([...KEYED].sort());
      await t.db.kysely.transaction().execute(async (trx) => {
        const sql = createImportSql(trx, t!.db.engine);
        for (const snap of snapshot) expect(await writeKeyed(sql, snap, { dir, box, legacyKey: undefined })).toMatchObject({ deleted: 0 });
        for (const snap of snapshot) expect(snap.keyed?.digest?.digest.of, snap.spec.file).toBe(engine === 'sqlite' ? 'rows' : 'pg-rows');
        const check = () => verifyAgainstDatabase({ kysely: trx, engine: t!.db.engine, dir, snapshot, open: box, sqlite: t!.db.sqlite });
        const clean = await check();
        expect(clean.mismatches).toEqual([]);
        expect([...(clean.keyedByDigest ?? [])].sort()).toEqual([...KEYED].sort());

        const grab = (await trx.selectFrom('grabs').select(['key']).orderBy('key').limit(1).executeTakeFirstOrThrow()).key;
        await trx
          .updateTable('grabs')
          .set({ title: 'Tampered' } as never)
          .where('key', '=', grab)
          .execute();
        await trx
          .updateTable('verify_results')
          .set({ key: 'movies:stray' } as never)
          .where('key', '=', (await trx.selectFrom('verify_results').select('key').limit(1).executeTakeFirstOrThrow()).key)
          .execute();
        const tampered = await check();
        expect(tampered.keyedByDigest).toEqual(['wanted.json']);
        expect(tampered.mismatches).toContainEqual({ file: 'grabs.json', locator: `/${grab}`, field: 'title', problem: 'value differs' });
        expect(tampered.mismatches).toContainEqual({
          file: 'verify-results.json',
          locator: '/movies:stray',
          field: '',
          problem: 'in the database but not in the file',
        });
      });
    }, 60_000);
  });
}

describe('addKeyedRow', () => {
  const grabs = LEGACY_FILES.find((f) => f.file === 'grabs.json')!.target;
  const record = { id: 'm1', kind: 'movies', title: 'Alien', ok: true, at: '2026-01-01T00:00:00.000Z' };
  const row = grabs.toRow({ key: 'movies:m1', index: 0 }, record, box);

  it('adds what SQLite gives back (a boolean as 0/1), so equal rows give equal digests', () => {
    const a = { digest: new SetDigest('rows'), table: 'grabs', columns: ['key', 'ok'] };
    addKeyedRow(a, grabs, row, record, box);
    const b = new SetDigest('rows');
    b.addRow(['movies:m1', 1], 0, 2);
    expect(a.digest.equals(b)).toBe(true);
  });

  it('a record the codec would not give back from its row makes the digest equal no other', () => {
    const d = { digest: new SetDigest('rows'), table: 'grabs', columns: ['key', 'ok'] };
    addKeyedRow(d, grabs, row, { ...record, title: 'Other' }, box);
    const same = new SetDigest('rows');
    same.addRow(['movies:m1', 1], 0, 2);
    expect(d.digest.count).toBe(1);
    expect(d.digest.equals(same)).toBe(false);
  });
});
