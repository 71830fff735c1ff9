/**
 * The shipped CLI (dist/, built by `npm test`'s pretest): there library.json is parsed (and so
 * checked) in a worker thread (library-batches.worker.js), which the sources under vitest never use.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { generateLegacyDir } from '../../bench/generate-legacy.js';
import { createImportSql } from '../../src/migration/import.sql.js';
import { type MigrationEnv, migrationEnv, tableImage, withDb } from './helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const built = existsSync(join(ROOT, 'dist', 'migration', 'library-batches.worker.js'));
const run = promisify(execFile);

describe.skipIf(!built)('the built CLI (worker-thread parsing)', () => {
  let m: MigrationEnv | undefined;
  afterEach(async () => {
    await m?.cleanup();
    m = undefined;
  });
  /** The built CLI in `m`'s environment; its exit code, stdout and stderr (a failing exit is not thrown). */
  const cli = (...args: string[]) =>
    run(process.execPath, [join(ROOT, 'bin', 'mediaos'), ...args], { env: { ...process.env, ...m!.env }, cwd: m!.dir, maxBuffer: 1 << 24 }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  it('imports a generated dir with bad and duplicate items, quarantines them, and verifies clean', async () => {
    m = await migrationEnv('sqlite');
    const dir = join(m.dir, 'legacy');
    await generateLegacyDir({ dir, items: 3000, seed: 3 });
    const lib = JSON.parse(readFileSync(join(dir, 'library.json'), 'utf8'));
    lib.items.splice(1200, 0, { ...lib.items[5] }); // same id as an earlier item
    lib.items.splice(2500, 0, { id: 'x-bad', kind: 'tv', title: 'Bad kind' });
    writeFileSync(join(dir, 'library.json'), JSON.stringify(lib, null, 2));
    const first = await cli('import', '--from', dir);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(3);
    expect(first.stdout).toMatch(/library\.json\s+3002\s+3000\s+2\s+3000/);
    const report = await cli('import', '--report');
    expect(report.stdout).toContain('library.json\t/items/1200\tduplicate id');
    expect(report.stdout).toContain('library.json\t/items/2500\tinvalid record (kind:');
    expect((await cli('verify-import', '--from', dir)).code).toBe(0);
    const again = await cli('import', '--from', dir);
    expect(again.code).toBe(3);
    expect(again.stdout).toContain('no changes');
  }, 60_000);

  it('an item of 40 MB: the parsing thread meets it before decoding it, and the import parses again in a heap with room for it', async () => {
    m = await migrationEnv('sqlite');
    const dir = join(m.dir, 'legacy');
    await generateLegacyDir({ dir, items: 200, seed: 5 });
    const lib = JSON.parse(readFileSync(join(dir, 'library.json'), 'utf8'));
    lib.items.push({ id: 'huge1', kind: 'movie', title: 'Huge', metadata: { notes: 'n'.repeat(40_000_000) } });
    writeFileSync(join(dir, 'library.json'), JSON.stringify(lib));
    const r = await cli('import', '--from', dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/library\.json\s+201\s+201\s+0/);
    const verify = await cli('verify-import', '--from', dir);
    expect(verify.stdout).toContain('0 mismatches');
  }, 60_000);

  it('a broken library.json found by the parsing worker: exit 2, line and column named, nothing changed', async () => {
    m = await migrationEnv('sqlite');
    const dir = join(m.dir, 'legacy');
    await generateLegacyDir({ dir, items: 2000, seed: 4 });
    const text = readFileSync(join(dir, 'library.json'), 'utf8');
    const lines = text.split('\n');
    const bad = lines.findIndex((l, i) => i > 1000 && l.includes('"title"'));
    lines[bad] = lines[bad]!.replace('"title":', '"title" ');
    writeFileSync(join(dir, 'library.json'), lines.join('\n'));
    const migrated = await cli('migrate');
    expect(migrated.stderr).toBe('');
    expect(migrated.code).toBe(0);
    const before = await withDb(m, tableImage);
    const r = await cli('import', '--from', dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`library\\.json: invalid JSON at line ${bad + 1}, column \\d+`));
    // found while grabs, verify results and wanted were written: all rolled back, every row as it was
    expect(await withDb(m, tableImage)).toEqual(before);
    expect(await withDb(m, (db) => createImportSql(db.kysely, db.engine).countRows('grabs'))).toBe(0);
  }, 60_000);

  /** The import's own report (the JSON file the run wrote). */
  const lastReport = () => {
    const dir = join(m!.dir, 'imports');
    const file = readdirSync(dir).sort().at(-1)!;
    return JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
      files: { file: string; read: number; imported: number; quarantined: number; inserted: number; updated: number; deleted: number }[];
      verify: { byDigest?: string[]; mismatches: unknown[] };
    };
  };

  it('keyed files through the built CLI: quarantine, the digest, a 20 MB record; a re-import compares each record with its row', async () => {
    m = await migrationEnv('sqlite');
    const dir = join(m.dir, 'legacy');
    await generateLegacyDir({ dir, items: 2000, seed: 6, extraGrabs: 3000 });
    const grabs = JSON.parse(readFileSync(join(dir, 'grabs.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    const keys = Object.keys(grabs);
    (grabs as Record<string, unknown>)[keys[10]!] = 'not a grab'; // quarantined
    grabs[keys[20]!] = { ...grabs[keys[20]!], notes: 'g'.repeat(20_000_000) }; // one record of 20 MB
    writeFileSync(join(dir, 'grabs.json'), JSON.stringify(grabs));
    const first = await cli('import', '--from', dir);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(3);
    const r1 = lastReport();
    const g1 = r1.files.find((f) => f.file === 'grabs.json')!;
    expect(g1).toMatchObject({ read: keys.length, imported: keys.length - 1, quarantined: 1, inserted: keys.length - 1 });
    expect(r1.verify.byDigest).toEqual(expect.arrayContaining(['grabs.json', 'verify-results.json', 'wanted.json']));
    expect(r1.verify.mismatches).toEqual([]);

    grabs[keys[30]!] = { ...grabs[keys[30]!], title: 'Renamed' };
    delete grabs[keys[40]!];
    writeFileSync(join(dir, 'grabs.json'), JSON.stringify(grabs));
    const second = await cli('import', '--from', dir);
    expect(second.code).toBe(3);
    const g2 = lastReport().files.find((f) => f.file === 'grabs.json')!;
    expect(g2).toMatchObject({ updated: 1, deleted: 1, inserted: 0 });
    const verify = await cli('verify-import', '--from', dir);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('0 mismatches');
  }, 120_000);

  it('keyed files that cannot be decided record by record go whole: a repeated key is read whole; invalid JSON stops the import with its line', async () => {
    m = await migrationEnv('sqlite');
    const dir = join(m.dir, 'legacy');
    await generateLegacyDir({ dir, items: 300, seed: 8, extraGrabs: 1500 });
    const text = readFileSync(join(dir, 'grabs.json'), 'utf8');
    const grabs = JSON.parse(text) as Record<string, unknown>;
    const [k0, k1] = Object.keys(grabs);
    // the same key twice (JSON.parse keeps the last value at the first place): the whole-file reader decides
    writeFileSync(join(dir, 'grabs.json'), `${text.trimEnd().slice(0, -1)}, ${JSON.stringify(k0)}: ${JSON.stringify(grabs[k1!])}}`);
    const repeated = await cli('import', '--from', dir);
    expect(repeated.stderr).toBe('');
    expect([0, 3]).toContain(repeated.code);
    expect(lastReport().files.find((f) => f.file === 'grabs.json')!.read).toBeGreaterThan(1500);

    const before = await withDb(m, tableImage);
    writeFileSync(join(dir, 'grabs.json'), text.replace('"title":', '"title" '));
    const broken = await cli('import', '--from', dir);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/grabs\.json: invalid JSON at line \d+, column \d+/);
    expect(await withDb(m, tableImage)).toEqual(before);
  }, 120_000);
});
