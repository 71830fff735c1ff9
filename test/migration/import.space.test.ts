import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { archiveDirectory } from '../../src/migration/archive.js';
import { checkFreeSpace, formatBytes } from '../../src/migration/free-space.js';
import { runImport } from '../../src/migration/import.js';
import { createSecretBox } from '../../src/security/secret-box.js';
import { sqlEngines, tempDir } from '../helpers/engines.js';
import { copyFixture, LEGACY_KEY, type MigrationEnv, migrationEnv, readDirBytes, tableImage, withDb } from './helpers.js';

for (const engine of sqlEngines()) {
  describe(`import on a full disk (${engine})`, () => {
    let m: MigrationEnv | undefined;
    afterEach(async () => {
      await m?.cleanup();
      m = undefined;
    });

    it('refuses up front when the backup and the import would not fit, with the estimate; nothing changes', async () => {
      m = await migrationEnv(engine);
      const src = copyFixture(join(m.dir, 'legacy'));
      expect((await m.cli('import', '--from', src)).code).toBe(0);
      const lib = JSON.parse(readFileSync(join(src, 'library.json'), 'utf8'));
      lib.items.push({ id: 'new-one', kind: 'movie', title: 'Ronin' });
      writeFileSync(join(src, 'library.json'), JSON.stringify(lib, null, 2));
      const before = await withDb(m, tableImage);
      const backups = readDirBytes(join(m.dir, 'backups'));
      const probed: string[] = [];
      const err = (await withDb(m, (db) =>
        runImport({
          db,
          from: src,
          dataDir: m!.dir,
          backupRetention: 10,
          legacyKey: LEGACY_KEY,
          secretBox: createSecretBox(LEGACY_KEY),
          freeSpace: (p) => (probed.push(p), 4096),
        }).catch((e: unknown) => e),
      )) as Error;
      expect(err).toBeInstanceOf(Error);
      expect(err.message).toMatch(
        new RegExp(
          `^not enough free space on the file system of ${join(m.dir, 'backups')}: 4\\.0 KB free, about \\d+\\.\\d KB needed \\(the backup of the legacy directory \\(its size\\) about \\d+\\.\\d KB in ${join(m.dir, 'backups')}`,
        ),
      );
      if (engine === 'sqlite') {
        expect(err.message).toContain(`the backup of the database (the size of its file) about`);
        expect(err.message).toContain(`the import (2 x the legacy directory) about`);
      }
      expect(probed).toEqual([join(m.dir, 'backups')]); // one file system: asked once, the needs summed
      expect(await withDb(m, tableImage)).toEqual(before);
      expect(readDirBytes(join(m.dir, 'backups'))).toEqual(backups);
      // the lock was released: with room, the same import runs
      expect((await m.cli('import', '--from', src)).code).toBe(0);
    });

    it('a failure after the schema was migrated says so instead of "nothing was changed"', async () => {
      m = await migrationEnv(engine);
      expect((await m.cli('migrate', '--to', '3')).code).toBe(0);
      const src = copyFixture(join(m.dir, 'legacy'));
      writeFileSync(join(src, 'wanted.json'), '{"items": [');
      const run = await m.cli('import', '--from', src);
      expect(run.code).toBe(2);
      expect(run.err).toMatch(/wanted\.json: invalid JSON .*\(no data was changed, but the database schema was migrated first: 0004_/);
      expect(run.err).not.toContain('nothing was changed');
      const again = await m.cli('import', '--from', src);
      expect(again.err).toMatch(/\(nothing was changed\)$/);
    });
  });
}

describe('backups on a full disk', () => {
  it('an archive that hits ENOSPC names its path and leaves no .partial', async () => {
    const { dir, cleanup } = tempDir();
    try {
      mkdirSync(join(dir, 'config'));
      writeFileSync(join(dir, 'config', 'users.json'), 'x'.repeat(200_000));
      const target = join(dir, 'backups', 'config-import-now.tar.gz');
      mkdirSync(join(dir, 'backups'));
      symlinkSync('/dev/full', `${target}.partial`); // every write there fails with ENOSPC
      const err = (await archiveDirectory(join(dir, 'config'), target).catch((e: unknown) => e)) as Error;
      expect(err.message).toMatch(new RegExp(`^archiving ${join(dir, 'config')} into ${target} failed: ENOSPC`));
      expect(readdirSync(join(dir, 'backups'))).toEqual([]);
      expect(existsSync(target)).toBe(false);
    } finally {
      cleanup();
    }
  });

  it('checkFreeSpace sums the needs on one file system and passes what fits', () => {
    const { dir, cleanup } = tempDir();
    try {
      const needs = [
        { path: join(dir, 'a', 'b'), bytes: 600, what: 'one' },
        { path: join(dir, 'c'), bytes: 600, what: 'two' },
      ];
      expect(() => checkFreeSpace(needs, () => 1200)).not.toThrow();
      expect(() => checkFreeSpace(needs, () => 1199)).toThrow(/1\.2 KB free, about 1\.2 KB needed \(one about 600 B in .*\/a\/b; two about 600 B in/);
      expect(() => checkFreeSpace(needs)).not.toThrow(); // the real statfs: this much is free
      expect(formatBytes(5 * 1024 ** 3)).toBe('5.0 GB');
    } finally {
      cleanup();
    }
  });
});
