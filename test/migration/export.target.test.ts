import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sqlEngines } from '../helpers/engines.js';
import { copyFixture, LEGACY_KEY, type MigrationEnv, migrationEnv, readDirValues } from './helpers.js';

/** Every entry of a dir, sub-directories listed with their files (bytes as base64). */
function tree(dir: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of readdirSync(dir, { withFileTypes: true }))
    out[e.name] = e.isDirectory() ? tree(join(dir, e.name)) : readFileSync(join(dir, e.name)).toString('base64');
  return out;
}

for (const engine of sqlEngines()) {
  describe(`export into an existing directory (${engine})`, () => {
    let m: MigrationEnv | undefined;
    afterEach(async () => {
      await m?.cleanup();
      m = undefined;
    });

    async function imported(): Promise<MigrationEnv> {
      m = await migrationEnv(engine);
      const src = copyFixture(join(m.dir, 'legacy'));
      rmSync(join(src, 'monitor.json')); // the database will hold no monitor settings
      expect((await m.cli('import', '--from', src)).code).toBe(0);
      return m;
    }

    it('refuses a directory that is not empty unless --force, then replaces the whole legacy set', async () => {
      const m = await imported();
      const fresh = join(m.dir, 'fresh');
      expect((await m.cli('export', '--to', fresh)).code).toBe(0);
      expect(readdirSync(m.dir).filter((n) => n.includes('mediaos-export'))).toEqual([]);

      // an older legacy directory: other content, a file the database does not hold, a file of the user's
      const target = copyFixture(join(m.dir, 'target'));
      writeFileSync(join(target, 'library.json'), '{"items": []}');
      writeFileSync(join(target, 'notes.txt'), 'mine');
      const before = tree(target);
      const run = await m.cli('export', '--to', target);
      expect(run.code).toBe(1);
      expect(run.err).toMatch(new RegExp(`${target} is not empty \\(16 entries: .*\\); pass --force`));
      expect(tree(target)).toEqual(before);

      const forced = await m.cli('export', '--to', target, '--force');
      expect(forced.code).toBe(0);
      expect(forced.out).toContain('removed (the database holds none): monitor.json');
      expect(readDirValues(target, LEGACY_KEY)).toEqual(readDirValues(fresh, LEGACY_KEY)); // secrets have fresh IVs
      expect(readdirSync(target).sort()).toEqual([...readdirSync(fresh), 'notes.txt'].sort());
      expect(readFileSync(join(target, 'notes.txt'), 'utf8')).toBe('mine');
    });

    it('a failing swap puts the previous files back and leaves no staging directory', async () => {
      const m = await imported();
      const target = copyFixture(join(m.dir, 'target'));
      writeFileSync(join(target, 'users.json'), '{}');
      // a directory where organizer.json (written late in the set) should go: its rename fails
      rmSync(join(target, 'organizer.json'));
      mkdirSync(join(target, 'organizer.json'));
      writeFileSync(join(target, 'organizer.json', 'keep'), 'x');
      const before = tree(target);
      const run = await m.cli('export', '--to', target, '--force');
      expect(run.code).toBe(1);
      expect(run.err).toContain(join(target, 'organizer.json'));
      expect(tree(target)).toEqual(before);
    });

    it('rollback still replaces the config dir (archived first)', async () => {
      const m = await imported();
      const config = copyFixture(join(m.dir, 'config'));
      writeFileSync(join(config, 'notes.txt'), 'mine');
      const run = await m.cli('rollback');
      expect(run.code).toBe(0);
      expect(run.out).toContain('archived the previous config dir');
      expect(run.out).toContain('removed monitor.json');
      const fresh = join(m.dir, 'fresh');
      expect((await m.cli('export', '--to', fresh)).code).toBe(0);
      expect(readDirValues(config, LEGACY_KEY)).toEqual(readDirValues(fresh, LEGACY_KEY));
      expect(readdirSync(config).sort()).toEqual([...readdirSync(fresh), 'notes.txt'].sort());
    });
  });
}
