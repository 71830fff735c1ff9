import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { sqlEngines } from '../helpers/engines.js';
import { copyFixture, type MigrationEnv, migrationEnv, readDirBytes, tableImage, withDb } from './helpers.js';

const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8'));
const writeJson = (p: string, v: unknown) => writeFileSync(p, JSON.stringify(v, null, 2));

for (const engine of sqlEngines()) {
  describe(`import refuses what would lose data (${engine})`, () => {
    let m: MigrationEnv | undefined;
    afterEach(async () => {
      await m?.cleanup();
      m = undefined;
    });

    async function populated(): Promise<{ m: MigrationEnv; src: string }> {
      m = await migrationEnv(engine);
      const src = copyFixture(join(m.dir, 'legacy'));
      expect((await m.cli('import', '--from', src)).code).toBe(0);
      return { m, src };
    }

    it('a missing directory is an error naming it and where it came from; nothing changes', async () => {
      const { m } = await populated();
      const before = await withDb(m, tableImage);
      const backups = readDirBytes(join(m.dir, 'backups'));
      const run = await m.cli('import', '--from', './no-such-dir');
      expect(run.code).toBe(2);
      expect(run.err).toContain(`the legacy directory ${join(m.dir, 'no-such-dir')} does not exist (from --from ./no-such-dir)`);
      expect(run.out).not.toMatch(/now equals/);

      // the default ./config, from a working directory that has none
      const elsewhere = join(m.dir, 'elsewhere');
      mkdirSync(elsewhere);
      const { MEDIAOS_CONFIG_DIR: _, ...env } = m.env;
      const run2 = await runCli(['import'], env, elsewhere);
      expect(run2.code).toBe(2);
      expect(run2.err).toContain(
        `the legacy directory ${join(elsewhere, 'config')} does not exist (the default ./config of the working directory ${elsewhere}`,
      );
      expect(await withDb(m, tableImage)).toEqual(before);
      expect(readDirBytes(join(m.dir, 'backups'))).toEqual(backups);
    });

    it('a directory with none of the legacy files is refused unless --allow-empty (and then --prune)', async () => {
      const { m } = await populated();
      const before = await withDb(m, tableImage);
      const empty = join(m.dir, 'empty');
      mkdirSync(empty);
      writeFileSync(join(empty, 'notes.txt'), 'not a legacy file');
      const run = await m.cli('import', '--from', empty);
      expect(run.code).toBe(2);
      expect(run.err).toMatch(/holds none of the legacy files .*--allow-empty/);
      expect(await withDb(m, tableImage)).toEqual(before);

      const allowed = await m.cli('import', '--from', empty, '--allow-empty');
      expect(allowed.code).toBe(2);
      expect(allowed.err).toMatch(/refusing to remove .*users\.json: 2 of 2 rows.*--prune/);
      expect(await withDb(m, tableImage)).toEqual(before);

      const pruned = await m.cli('import', '--from', empty, '--allow-empty', '--prune');
      expect(pruned.code).toBe(0);
      expect(await withDb(m, async (db) => (await tableImage(db)).users)).toEqual([]);
    });

    it('removing any user or more than 10% of a file is refused unless --prune; --dry-run shows the numbers', async () => {
      const { m, src } = await populated();
      const before = await withDb(m, tableImage);
      const users = readJson(join(src, 'users.json'));
      delete users[Object.keys(users)[0]!];
      writeJson(join(src, 'users.json'), users);
      const lib = readJson(join(src, 'library.json'));
      lib.items = lib.items.slice(0, 3);
      writeJson(join(src, 'library.json'), lib);

      const run = await m.cli('import', '--from', src);
      expect(run.code).toBe(2);
      expect(run.err).toContain('users.json: 1 of 2 rows; library.json: 6 of 9 rows');
      expect(run.err).toContain('nothing was changed');
      expect(await withDb(m, tableImage)).toEqual(before);

      const dry = await m.cli('import', '--from', src, '--dry-run');
      expect(dry.code).toBe(0);
      expect(dry.out).toMatch(/library\.json\s+3\s+3\s+0\s+0\s+0\s+6\s+3/);
      expect(dry.out).toContain('an import would be refused without --prune: it would remove users.json: 1 of 2 rows; library.json: 6 of 9 rows');

      const ok = await m.cli('import', '--from', src, '--prune');
      expect(ok.code).toBe(0);
      expect(ok.out).toMatch(/users\.json\s+1\s+1\s+0\s+0\s+0\s+1\s+1/);
    });
  });
}
