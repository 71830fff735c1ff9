import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { migrations } from '../../src/db/migrations/index.js';
import { prepareDatabase } from '../../src/storage/database.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/engines.js';

const latest = migrations[migrations.length - 1].version;
const full = () => 1024; // 1 KB free everywhere
const backups = (dir: string) => (existsSync(join(dir, 'backups')) ? readdirSync(join(dir, 'backups')) : []);

describe('free space is checked before what writes a lot', () => {
  it('migrate, backup and db copy refuse on a full disk with the estimate, and change nothing; they run with room', async () => {
    const { dir, cleanup } = tempDir();
    const env = { MEDIAOS_DATA_DIR: dir };
    try {
      expect((await runCli(['migrate'], env)).code).toBe(0);
      let r = await runCli(['migrate', '--to', String(latest - 1)], env, dir, { freeSpace: full });
      expect(r.code).toBe(1);
      expect(r.err).toMatch(
        /not enough free space on the file system of .*: 1\.0 KB free, about \d+\.\d [KM]B needed \(the backup of the database .* about .* in .*backups; the migration \(tables rewritten/,
      );
      expect(backups(dir)).toEqual([]);
      expect((await runCli(['migrate', 'status'], env)).out).toMatch(/up to date/);

      r = await runCli(['backup'], env, dir, { freeSpace: full });
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/1\.0 KB free, about .* needed \(the staged database snapshot \(the size of the database\) about .*; the archive/);
      expect(backups(dir)).toEqual([]);

      const copy = join(dir, 'copy.db');
      r = await runCli(['db', 'copy', '--to', `sqlite:${copy}`], env, dir, { freeSpace: full });
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/1\.0 KB free, about .* needed \(the copy \(the size of the source database\) about .* in .*copy\.db\)/);
      expect(existsSync(copy)).toBe(false);

      // the same commands with room (the real statfs)
      expect((await runCli(['backup'], env, dir)).code).toBe(0);
      expect((await runCli(['db', 'copy', '--to', `sqlite:${copy}`], env, dir)).code).toBe(0);
      r = await runCli(['migrate', '--to', String(latest - 1)], env, dir);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(/backup: /);

      // `serve` migrating an existing database (prepareDatabase) refuses likewise
      const config = loadConfig(env, dir);
      await expect(prepareDatabase(config, { freeSpace: full })).rejects.toThrow(/not enough free space .*the migration \(tables rewritten/);
      expect((await runCli(['migrate', 'status'], env)).out).toMatch(new RegExp(`current version: ${latest - 1}`));
      const prepared = await prepareDatabase(config);
      expect(prepared.migrated.map((m) => m.status)).toEqual(['applied']);
      await prepared.db.close();
    } finally {
      cleanup();
    }
  });
});
