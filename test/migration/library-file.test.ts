/**
 * library.json checked by the import's own parse (library-file.ts): a file found broken only at its
 * end, after batches of it were written, ends as the check before writing ended it. Kept whole
 * (another shape, a key too long, invalid JSON with --skip-broken-files): what was written of it is
 * undone and the library is empty; invalid JSON otherwise: the import stops, nothing changed; on a
 * re-import, the library's rows as they were.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateLegacyDir } from '../../bench/generate-legacy.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { LegacyFileError } from '../../src/legacy/file-error.js';
import { type ImportOptions, runImport } from '../../src/migration/import.js';
import { createImportSql } from '../../src/migration/import.sql.js';
import { createSecretBox } from '../../src/security/secret-box.js';
import { sqlEngines } from '../helpers/engines.js';
import { LEGACY_KEY, type MigrationEnv, migrationEnv, tableImage, withDb } from './helpers.js';

const ITEMS = 1400; // three batches of 500: two written before the end of the file is reached

/** library.json of `dir` with `tail` written before its closing brace (after the items array). */
function appendToLibrary(dir: string, tail: string): void {
  const text = readFileSync(join(dir, 'library.json'), 'utf8').trimEnd();
  writeFileSync(join(dir, 'library.json'), `${text.slice(0, -1)}${tail}\n}\n`);
}

for (const engine of sqlEngines()) {
  describe(`library.json checked while it is written (${engine})`, () => {
    let m: MigrationEnv | undefined;
    afterEach(async () => {
      await m?.cleanup();
      m = undefined;
    });

    const importFrom = (from: string, extra: Partial<ImportOptions> = {}) =>
      withDb(m!, async (db) => {
        await migrateToLatest(db);
        return runImport({ db, from, dataDir: m!.dir, backupRetention: 10, legacyKey: LEGACY_KEY, secretBox: createSecretBox(LEGACY_KEY), ...extra });
      });
    const count = (table: 'library_items' | 'grabs') => withDb(m!, (db) => createImportSql(db.kysely, db.engine).countRows(table));

    async function legacyDir(name: string, tail?: string): Promise<string> {
      const dir = join(m!.dir, name);
      await generateLegacyDir({ dir, items: ITEMS, seed: 11 });
      if (tail !== undefined) appendToLibrary(dir, tail);
      return dir;
    }

    it('another top-level key after the items: kept as its text, every item imported', async () => {
      m = await migrationEnv(engine);
      const report = await importFrom(await legacyDir('legacy', ', "version": 2.50'));
      const lib = report.files.find((f) => f.file === 'library.json')!;
      expect(lib).toMatchObject({ exists: true, read: ITEMS, imported: ITEMS, inserted: ITEMS, quarantined: 1 });
      expect(lib.broken).toBeUndefined();
      expect(report.quarantine.filter((q) => q.file === 'library.json')).toEqual([
        { file: 'library.json', locator: '/version', reason: expect.stringMatching(/unknown top-level key/) },
      ]);
      expect(report.verify?.mismatches).toEqual([]);
      expect(await count('library_items')).toBe(ITEMS);
    });

    for (const [what, tail, reason] of [
      ['"items" a second time', ', "items": []', /^library\.json: unexpected shape/],
      ['a key too long to record', `, "${'k'.repeat(3000)}": 1`, /^a top-level key is 3000 bytes long/],
      ['invalid JSON (with --skip-broken-files)', ', "version": }', /^broken file: library\.json: invalid JSON at line \d+, column \d+/],
    ] as const) {
      it(`${what} at the end: the file kept whole, the items written before it undone, the other files imported`, async () => {
        m = await migrationEnv(engine);
        const dir = await legacyDir('legacy', tail);
        const report = await importFrom(dir, { skipBrokenFiles: true });
        const lib = report.files.find((f) => f.file === 'library.json')!;
        expect(lib).toMatchObject({ exists: true, read: 0, imported: 0, inserted: 0, quarantined: 1, broken: expect.any(String) });
        expect(report.quarantine.filter((q) => q.file === 'library.json')).toEqual([
          { file: 'library.json', locator: '', reason: expect.stringMatching(reason) },
        ]);
        expect(report.exitCode).toBe(3);
        expect(report.verify?.mismatches).toEqual([]);
        expect(await count('library_items')).toBe(0);
        expect(await count('grabs')).toBeGreaterThan(0);
        // the quarantine holds the file's bytes, which export writes back
        const kept = await withDb(m, (db) =>
          db.kysely.selectFrom('import_quarantine').select(['raw', 'raw_encoding']).where('file', '=', 'library.json').executeTakeFirstOrThrow(),
        );
        expect(kept.raw_encoding).toBe('base64');
        expect(Buffer.from(kept.raw, 'base64').equals(readFileSync(join(dir, 'library.json')))).toBe(true);
      });
    }

    it('invalid JSON at the end without --skip-broken-files: stops with its line and column, nothing changed', async () => {
      m = await migrationEnv(engine);
      await withDb(m, migrateToLatest);
      const before = await withDb(m, tableImage);
      const err = await importFrom(await legacyDir('legacy', ', "version": }')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LegacyFileError);
      expect((err as LegacyFileError).code).toBe('invalid_json');
      expect((err as LegacyFileError).line).toBeGreaterThan(ITEMS);
      expect(await withDb(m, tableImage)).toEqual(before);
    });

    it('a re-import whose library.json turns out broken at its end: refused without --prune, every row as it was', async () => {
      m = await migrationEnv(engine);
      await importFrom(await legacyDir('first'));
      const before = await withDb(m, tableImage);
      const err = (await importFrom(await legacyDir('legacy', ', "items": []'), { skipBrokenFiles: true }).catch((e: unknown) => e)) as Error;
      expect(err.message).toMatch(/^refusing to remove what the legacy directory no longer holds \(library\.json/);
      expect(await withDb(m, tableImage)).toEqual(before);
    });
  });
}
