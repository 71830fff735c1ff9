/** grabs.json / verify-results.json / wanted.json read record by record: re-import counts and the read-back check. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { generateLegacyDir } from '../../bench/generate-legacy.js';
import { sqlEngines } from '../helpers/engines.js';
import { type MigrationEnv, migrationEnv, withDb } from './helpers.js';

for (const engine of sqlEngines()) {
  describe(`keyed files, record by record (${engine})`, () => {
    let m: MigrationEnv | undefined;
    afterEach(async () => {
      await m?.cleanup();
      m = undefined;
    });

    it('a re-import inserts, rewrites, deletes and leaves alone by key; verify-import names a row no record accounts for', async () => {
      m = await migrationEnv(engine);
      const dir = join(m.dir, 'legacy');
      await generateLegacyDir({ dir, items: 300, seed: 9 });
      expect((await m.cli('import', '--from', dir)).code).toBe(0);

      const path = join(dir, 'grabs.json');
      const grabs = JSON.parse(readFileSync(path, 'utf8')) as Record<string, Record<string, unknown>>;
      const keys = Object.keys(grabs);
      const n = keys.length;
      grabs[keys[0]!]!.title = 'Changed.Title';
      delete grabs[keys[1]!];
      grabs['movies:brand-new'] = { ...grabs[keys[2]!]!, id: 'brand-new' };
      writeFileSync(path, JSON.stringify(grabs, null, 2));
      const again = await m.cli('import', '--from', dir);
      expect(again.code).toBe(0);
      // file, read, imported, quarantined, new, changed, removed, unchanged
      expect(again.out).toMatch(new RegExp(`grabs\\.json\\s+${n}\\s+${n}\\s+0\\s+1\\s+1\\s+1\\s+${n - 2}\\s`));
      expect((await m.cli('verify-import', '--from', dir)).code).toBe(0);

      await withDb(m, async (db) => {
        await sql`update grabs set title = 'Tampered' where key = ${keys[0]!}`.execute(db.kysely);
        await sql`update grabs set key = 'movies:stray' where key = ${keys[3]!}`.execute(db.kysely);
      });
      const check = await m.cli('verify-import', '--from', dir);
      expect(check.code).not.toBe(0);
      expect(check.out + check.err).toContain('/movies:stray');
      expect(check.out + check.err).toContain('in the database but not in the file');
      expect(check.out + check.err).toContain(`/${keys[3]!}`);
      expect(check.out + check.err).toMatch(/title/);
    }, 120_000);

    it('a keyed file whose record-by-record pass gives up late (a key repeated after 1200 members) is imported whole: what that pass wrote is undone', async () => {
      m = await migrationEnv(engine);
      const dir = join(m.dir, 'legacy');
      await generateLegacyDir({ dir, items: 20, seed: 5, extraGrabs: 1200 });
      const path = join(dir, 'grabs.json');
      const grabs = JSON.parse(readFileSync(path, 'utf8')) as Record<string, Record<string, unknown>>;
      const keys = Object.keys(grabs);
      const n = keys.length;
      expect(n).toBeGreaterThan(1000); // two batches were written before the repeated key shows up
      const text = JSON.stringify(grabs, null, 2);
      // the first key again at the end: JSON.parse (the whole-file reader) keeps this value at the first place
      writeFileSync(
        path,
        `${text.slice(0, text.lastIndexOf('}'))},\n  ${JSON.stringify(keys[0])}: ${JSON.stringify({ ...grabs[keys[0]!]!, title: 'Last.Value.Wins' })}\n}`,
      );
      const run = await m.cli('import', '--from', dir);
      expect(run.code).toBe(0);
      // file, read, imported, quarantined, new, changed, removed, unchanged: every member new (none left from the undone pass)
      expect(run.out).toMatch(new RegExp(`grabs\\.json\\s+${n}\\s+${n}\\s+0\\s+${n}\\s+0\\s+0\\s+0\\s`));
      await withDb(m, async (db) => {
        const rows = await sql<{ n: number | string }>`select count(*) as n from grabs`.execute(db.kysely);
        expect(Number(rows.rows[0]!.n)).toBe(n);
        const first = await sql<{ title: string }>`select title from grabs where key = ${keys[0]!}`.execute(db.kysely);
        expect(first.rows[0]!.title).toBe('Last.Value.Wins');
      });
      expect((await m.cli('verify-import', '--from', dir)).code).toBe(0);
    }, 120_000);
  });
}
