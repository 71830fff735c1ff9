/**
 * The import contract (issue 4) against realistic but nasty legacy directories (nasty-cases.ts),
 * through the real CLI, on every engine: nothing is dropped (what has no lossless home is
 * quarantined verbatim, with file, locator and reason), verify-import is clean, a second import
 * changes nothing, export writes files equal as exact JSON values to the originals (quarantined
 * records included; numbers compared digit by digit, strings code unit by code unit), and a file
 * that is not JSON stops the import with its name and line:column, changing nothing.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { readLegacySecret } from '../../src/security/legacy-crypto.js';
import { sqlEngines } from '../helpers/engines.js';
import { LEGACY_KEY, type MigrationEnv, migrationEnv, tableImage, withDb } from './helpers.js';
import { type NastyCase, nastyCases } from './nasty-cases.js';
import { fileValue, LEGACY_FILE_NAMES } from './nasty-legacy.js';

const SEED = Number(process.env.MEDIAOS_NASTY_SEED ?? 20250601);
const CASES = nastyCases(SEED);
const STACK = /^\s+at .+[:(]\d+:\d+\)?$/m;

function writeDir(dir: string, c: NastyCase): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(c.files)) writeFileSync(join(dir, name), bytes);
  for (const [sub, files] of Object.entries(c.subdirs ?? {})) {
    mkdirSync(join(dir, sub));
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, sub, name), bytes);
  }
}

/** Every file under `dir` (subdirectories too), as base64. */
function treeBytes(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) Object.assign(out, treeBytes(path, `${prefix}${name}/`));
    else out[prefix + name] = readFileSync(path).toString('base64');
  }
  return out;
}

/** A legacy ciphertext replaced by its plaintext (export encrypts with a fresh salt, and encrypts old plaintext secrets). */
function decrypted(s: string): string {
  const r = readLegacySecret(s, LEGACY_KEY);
  return r.kind === 'decrypted' ? r.value : s;
}

/** The legacy files of a directory as canonical JSON (bytes when not JSON), secrets decrypted; absent files are absent. */
function legacyValues(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of LEGACY_FILE_NAMES) if (existsSync(join(dir, f))) out[f] = fileValue(readFileSync(join(dir, f)), decrypted);
  return out;
}

/** Equal canonical JSON per file; a difference is shown around where it starts (the texts can be megabytes). */
function expectSameFiles(actual: Record<string, string>, expected: Record<string, string>): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [file, want] of Object.entries(expected)) {
    const got = actual[file]!;
    if (got === want) continue;
    let at = 0;
    while (got[at] === want[at]) at++;
    expect(`${file} at ${at}: ${got.slice(Math.max(0, at - 150), at + 150)}`).toBe(`${file} at ${at}: ${want.slice(Math.max(0, at - 150), at + 150)}`);
  }
}

function reportLines(out: string): string[] {
  return out
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t').slice(0, 2).join('\t'))
    .sort();
}

for (const engine of sqlEngines()) {
  describe(`import of nasty legacy directories (${engine}, seed ${SEED})`, () => {
    let m: MigrationEnv | undefined;
    afterEach(async () => {
      await m?.cleanup();
      m = undefined;
    });

    for (const c of CASES) {
      it(c.name, async () => {
        m = await migrationEnv(engine);
        const src = join(m.dir, 'legacy');
        writeDir(src, c);
        const srcBytes = treeBytes(src);
        const args = c.args ?? [];
        let before: Awaited<ReturnType<typeof tableImage>> | undefined;
        if (c.code === 2) {
          // a database that already holds an import: the failed one must leave it exactly as it was
          const first = join(m.dir, 'first');
          writeDir(first, CASES[0]!);
          expect((await m.cli('import', '--from', first)).code).toBe(0);
          before = await withDb(m, tableImage);
        }

        const run = await m.cli('import', '--from', src, ...args);
        expect(run.err + run.out).not.toMatch(STACK);
        expect(treeBytes(src)).toEqual(srcBytes); // the legacy directory is never touched
        if (c.code === 2) {
          expect(run.err).toMatch(c.err!);
          expect(run.code).toBe(2);
          expect(await withDb(m, tableImage)).toEqual(before);
          return;
        }
        expect(run.err).toBe('');
        if (c.code === 'any') expect([0, 3]).toContain(run.code);
        else expect(run.code).toBe(c.code);

        const report = await m.cli('import', '--report');
        const listed = run.code === 0 ? [] : reportLines(report.out);
        if (run.code === 0) expect(report.out).toBe('no quarantined records');
        else expect(listed.length).toBeGreaterThan(0);
        if (c.quarantined) expect(listed).toEqual([...c.quarantined].sort());
        expect(report.out).not.toMatch(/[\u0000\ufffd]/);

        const verify = await m.cli('verify-import', '--from', src);
        expect(verify.out).toMatch(/, 0 mismatches$/);
        expect(verify.code).toBe(0);

        const again = await m.cli('import', '--from', src, ...args);
        expect(again.code).toBe(run.code);
        expect(again.out).toContain('no changes: the database already equals the legacy files');

        const out = join(m.dir, 'exported');
        const exp = await m.cli('export', '--to', out);
        expect(exp.err).toBe('');
        expect(exp.code).toBe(0);
        expectSameFiles(legacyValues(out), legacyValues(src));

        // the exported directory is the same data: importing it changes nothing
        const back = await m.cli('import', '--from', out, ...args);
        expect(back.code).toBe(run.code);
        expect(back.out).toContain('no changes');
      });
    }

    it('a record kept as text changes when its text does, though JSON.parse reads 1e400 and 2e400 alike', async () => {
      m = await migrationEnv(engine);
      const src = join(m.dir, 'legacy');
      mkdirSync(src);
      const write = (n: string) => {
        writeFileSync(join(src, 'library.json'), `{"items": [{"id": "a", "kind": "movie", "title": "A", "x": ${n}}], "v": ${n}}`);
        writeFileSync(join(src, 'grabs.json'), `{"movie:a": {"kind": "movie", "id": "a", "status": ${n}}}`);
      };
      write('1e400');
      expect((await m.cli('import', '--from', src)).code).toBe(3);
      write('2e400');
      expect((await m.cli('verify-import', '--from', src)).out).toMatch(/, 3 mismatches$/);
      const again = await m.cli('import', '--from', src);
      expect(again.code).toBe(3);
      expect(again.out).toContain('the database now equals the legacy files');
      expect((await m.cli('verify-import', '--from', src)).code).toBe(0);
      const out = join(m.dir, 'exported');
      await m.cli('export', '--to', out);
      expectSameFiles(legacyValues(out), legacyValues(src));
      expect(readFileSync(join(out, 'grabs.json'), 'utf8')).toContain('2e400');
    });
  });
}

// The shipped CLI parses library.json in a worker thread (the sources under vitest never do).
const ROOT = join(import.meta.dirname, '..', '..');
const built = existsSync(join(ROOT, 'dist', 'migration', 'library-batches.worker.js'));
const execute = promisify(execFile);

describe.skipIf(!built)(`nasty library items through the built CLI (worker-thread parsing, seed ${SEED})`, () => {
  let m: MigrationEnv | undefined;
  afterEach(async () => {
    await m?.cleanup();
    m = undefined;
  });

  for (const c of CASES.filter((k) => /^(numbers|NUL|lone surrogates|titles differing)/.test(k.name))) {
    it(c.name, async () => {
      m = await migrationEnv('sqlite');
      const src = join(m.dir, 'legacy');
      writeDir(src, c);
      const cli = (...args: string[]) =>
        execute(process.execPath, [join(ROOT, 'bin', 'mediaos'), ...args], { env: { ...process.env, ...m!.env }, cwd: m!.dir }).then(
          (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
          (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
        );
      const run = await cli('import', '--from', src);
      expect(run.err).toBe('');
      expect(run.code).toBe(c.code);
      expect(reportLines((await cli('import', '--report')).out.trimEnd())).toEqual([...c.quarantined!].sort());
      expect((await cli('verify-import', '--from', src)).code).toBe(0);
      const out = join(m.dir, 'exported');
      expect((await cli('export', '--to', out)).code).toBe(0);
      expectSameFiles(legacyValues(out), legacyValues(src));
    }, 60_000);
  }
});
