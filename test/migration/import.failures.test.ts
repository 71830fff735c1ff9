import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocksSql, MAINTENANCE_LOCK } from '../../src/db/locks.sql.js';
import { sqlEngines } from '../helpers/engines.js';
import { copyFixture, LEGACY_KEY, type MigrationEnv, migrationEnv, readDirBytes, readDirValues, tableImage, withDb } from './helpers.js';

const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8'));
const writeJson = (p: string, v: unknown) => writeFileSync(p, JSON.stringify(v, null, 2));

for (const engine of sqlEngines()) {
  describe(`import failures and quarantine (${engine})`, () => {
    let m: MigrationEnv | undefined;
    afterEach(async () => {
      await m?.cleanup();
      m = undefined;
    });

    it('a truncated JSON file: exit 2 naming file and line:column; database and directory unchanged', async () => {
      m = await migrationEnv(engine);
      const first = copyFixture(join(m.dir, 'first'));
      expect((await m.cli('import', '--from', first)).code).toBe(0);
      const src = copyFixture(join(m.dir, 'legacy'));
      const wanted = readFileSync(join(src, 'wanted.json'), 'utf8');
      writeFileSync(join(src, 'wanted.json'), wanted.slice(0, wanted.length - 40)); // also changes the dir's content vs `first`
      const lib = readFileSync(join(src, 'library.json'), 'utf8');
      writeFileSync(join(src, 'library.json'), lib.replace('"The Wire"', '"The Wire 2"'));
      const dirBefore = readDirBytes(src);
      const dbBefore = await withDb(m, tableImage);

      const run = await m.cli('import', '--from', src);
      expect(run.code).toBe(2);
      expect(run.err).toMatch(/wanted\.json: invalid JSON at line \d+, column \d+/);
      expect(readDirBytes(src)).toEqual(dirBefore);
      expect(await withDb(m, tableImage)).toEqual(dbBefore);
      // wanted.json is a keyed file: its records are decided while written, inside the import's
      // transaction (SQLite: as the other files are read; PostgreSQL: after the library), and it
      // stops the import there: rolled back, every row as it was
      expect(run.out).toContain('read: reading and validating');
      if (engine === 'sqlite') expect(run.out).not.toContain('write: writing to the database');
      else expect(run.out).toContain('write: writing to the database');

      // a truncated library.json (the streamed file) stops it the same way, while the keyed files are written
      writeFileSync(join(src, 'wanted.json'), wanted);
      writeFileSync(join(src, 'library.json'), lib.slice(0, 500));
      const run2 = await m.cli('import', '--from', src);
      expect(run2.code).toBe(2);
      expect(run2.err).toMatch(/library\.json: invalid JSON at line \d+, column \d+/);
      expect(await withDb(m, tableImage)).toEqual(dbBefore);
      // the lock is given back, and nothing but the lock's own row came and went
      expect(await withDb(m, (db) => createLocksSql(db.kysely).current(MAINTENANCE_LOCK))).toBeUndefined();
      if (engine === 'sqlite') expect(await withDb(m, async (db) => db.sqlite!.pragma('integrity_check', { simple: true }))).toBe('ok');
    });

    it('--skip-broken-files quarantines the bytes; export writes them back unchanged', async () => {
      m = await migrationEnv(engine);
      const src = copyFixture(join(m.dir, 'legacy'));
      const broken = '{\n  "minDurationSec": 300,\n  "allowedCont';
      writeFileSync(join(src, 'verify.json'), broken);
      const run = await m.cli('import', '--from', src, '--skip-broken-files');
      expect(run.code).toBe(3);
      const report = await m.cli('import', '--report');
      expect(report.out).toMatch(/verify\.json\t\(whole file\)\tbroken file: verify\.json: invalid JSON at line 3/);
      expect((await m.cli('verify-import', '--from', src)).code).toBe(0);
      const out = join(m.dir, 'out');
      await m.cli('export', '--to', out);
      expect(readFileSync(join(out, 'verify.json'), 'utf8')).toBe(broken);
    });

    it('quarantines what cannot go into a column, lists it with --report, and export puts it back where it was', async () => {
      m = await migrationEnv(engine);
      const src = copyFixture(join(m.dir, 'legacy'));
      const lib = readJson(join(src, 'library.json'));
      lib.items.splice(2, 0, { id: 'bad-kind', kind: 'podcast', title: 'Serial' });
      lib.items.push({ id: 'no-title', kind: 'movie' });
      lib.items.push({ id: 'mbdlzeo0k3p9q1', kind: 'book', title: 'Same id as Heat' });
      lib.items.push({ id: 'heat-again', kind: 'movie', title: 'HEAT' });
      lib.version = 2; // an unknown top-level key: no column, kept in quarantine
      writeJson(join(src, 'library.json'), lib);
      const users = readJson(join(src, 'users.json'));
      users.user_dup = { ...users.user_1733000000000_k3j9x0abc, id: 'user_dup', email: 'OWNER@example.org' };
      writeJson(join(src, 'users.json'), users);
      const dl = readJson(join(src, 'downloaders.json'));
      // a ciphertext made with another key: the section is quarantined, the value never printed
      dl.sabnzbd.apiKey = 'VVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVmZmZmZmZmZmZmZmZmZmZmtTDtiAC7GVCrfFhNs8+dZGmdz4kcfdHRXNyY7rhuz322F3t+pUM=';
      writeJson(join(src, 'downloaders.json'), dl);

      const dry = await m.cli('import', '--from', src, '--dry-run');
      expect(dry.err).toBe('');
      expect(dry.code).toBe(3);
      const run = await m.cli('import', '--from', src);
      expect(run.code).toBe(3);
      expect(run.out).toMatch(/7 record\(s\) quarantined/);
      const report = await m.cli('import', '--report');
      expect(report.code).toBe(0);
      expect(report.out).toContain('library.json\t/items/2\tinvalid record (kind:');
      expect(report.out).toMatch(/library\.json\t\/items\/10\tinvalid record \(title:/);
      expect(report.out).toContain('library.json\t/items/11\tduplicate id: an earlier item has the id "mbdlzeo0k3p9q1"');
      expect(report.out).toContain('library.json\t/items/12\tduplicate title: the earlier item "mbdlzeo0k3p9q1"');
      expect(report.out).toContain('library.json\t/version\tunknown top-level key');
      expect(report.out).toContain('users.json\t/user_dup\tduplicate email');
      expect(report.out).toMatch(/downloaders\.json\t\/sabnzbd\tfield apiKey: looks encrypted but did not decrypt/);
      expect(report.out + run.out + run.err).not.toContain('VVVVVVVV');

      expect((await m.cli('verify-import', '--from', src)).code).toBe(0);
      const again = await m.cli('import', '--from', src);
      expect(again.code).toBe(3);
      expect(again.out).toContain('no changes');

      const out = join(m.dir, 'out');
      expect((await m.cli('export', '--to', out)).code).toBe(0);
      expect(readDirValues(out, LEGACY_KEY)).toEqual(readDirValues(src, LEGACY_KEY));
    });

    it('applies the differences of a changed directory (new, changed, removed, swapped titles) and keeps created_at', async () => {
      m = await migrationEnv(engine);
      const src = copyFixture(join(m.dir, 'legacy'));
      expect((await m.cli('import', '--from', src)).code).toBe(0);
      const before = await withDb(m, async (db) => (await tableImage(db)).library_items);
      const lib = readJson(join(src, 'library.json'));
      lib.items = lib.items.filter((i: { id: string }) => i.id !== 'mbdm2booka1'); // removed
      const a = lib.items.find((i: { id: string }) => i.id === 'mbdm3nfc');
      const b = lib.items.find((i: { id: string }) => i.id === 'mbdm3nfd');
      [a.title, b.title] = [b.title, a.title]; // two items swap titles
      lib.items[0].year = 1996; // changed
      lib.items.push({ id: 'mbdz9new01', kind: 'movie', title: 'Ronin' }); // new
      writeJson(join(src, 'library.json'), lib);
      const w = readJson(join(src, 'wanted.json'));
      w.items.pop();
      writeJson(join(src, 'wanted.json'), w);
      rmSync(join(src, 'monitor.json'));

      // one of nine library items, one of four wanted items and the whole monitor.json: over the limit
      expect((await m.cli('import', '--from', src)).err).toMatch(
        /refusing to remove .*library\.json: 1 of 9 rows; wanted\.json: 1 of 4 rows; monitor\.json: 1 of 1 rows/,
      );
      const run = await m.cli('import', '--from', src, '--prune');
      expect(run.code).toBe(0);
      expect(run.out).toMatch(/library\.json\s+9\s+9\s+0\s+1\s+3\s+1\s+5/);
      expect(run.out).toMatch(/wanted\.json\s+3\s+3\s+0\s+0\s+0\s+1\s+3/);
      expect(run.out).toMatch(/monitor\.json \(absent\)\s+0\s+0\s+0\s+0\s+0\s+1\s+0/);
      expect((await m.cli('verify-import', '--from', src)).code).toBe(0);
      const after = await withDb(m, async (db) => (await tableImage(db)).library_items);
      const created = (rows: unknown[]) => Object.fromEntries(rows.map((r) => JSON.parse(r as string)).map((r) => [r.id, [r.seq, r.created_at]]));
      const [cb, ca] = [created(before), created(after)];
      for (const id of ['mbdlzeo0k3p9q1', 'mbdm3nfc', 'mbdm3nfd', 'the-wire']) expect(ca[id]).toEqual(cb[id]);
      const out = join(m.dir, 'out');
      await m.cli('export', '--to', out);
      expect(readDirValues(out, LEGACY_KEY)).toEqual(readDirValues(src, LEGACY_KEY));
    });

    it('--dry-run reads, validates and reports, and writes nothing', async () => {
      m = await migrationEnv(engine);
      const src = copyFixture(join(m.dir, 'legacy'));
      expect((await m.cli('migrate')).code).toBe(0);
      const before = await withDb(m, tableImage);
      const run = await m.cli('import', '--from', src, '--dry-run');
      expect(run.code).toBe(0);
      expect(run.out).toContain('dry run: nothing was written (an import would change the database)');
      expect(run.out).toMatch(/library\.json\s+9\s+9\s+0\s+9/);
      expect(await withDb(m, tableImage)).toEqual(before);
      expect(readDirBytes(join(m.dir, 'backups'))).toEqual({});
      expect(readDirBytes(join(m.dir, 'imports'))).toEqual({});
    });

    it('refuses while another import holds the lock, naming the holder', async () => {
      m = await migrationEnv(engine);
      expect((await m.cli('migrate')).code).toBe(0);
      const db = m.open();
      const held = await createLocksSql(db.kysely).acquire(MAINTENANCE_LOCK, `import pid ${process.pid} on elsewhere`);
      const src = copyFixture(join(m.dir, 'legacy'));
      const run = await m.cli('import', '--from', src, '--lock-wait', '0.3');
      expect(run.code).toBe(2);
      expect(run.err).toMatch(/another maintenance task is running: import pid \d+ on elsewhere/);
      expect(await withDb(m, async (db) => (await tableImage(db)).library_items)).toEqual([]);
      await held.release();
      await db.close();
      expect((await m.cli('import', '--from', src)).code).toBe(0);
    });
  });
}
