import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateLegacyDir } from '../../bench/generate-legacy.js';
import { createImportSql } from '../../src/migration/import.sql.js';
import { sqlEngines } from '../helpers/engines.js';
import { FIXTURE_DIR, type MigrationEnv, migrationEnv, tableImage, withDb } from './helpers.js';

const CHILD = join(import.meta.dirname, 'cli-child.ts');
const ITEMS = 60_000;

/** Starts `mediaos import` in a child process and SIGKILLs it once it reports writing library.json. */
function importAndKill(m: MigrationEnv, from: string): Promise<{ killed: boolean; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, 'import', '--from', from, '--prune'], {
      cwd: join(import.meta.dirname, '..', '..'),
      env: { ...process.env, ...m.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let writes = 0;
    const onData = (d: Buffer) => {
      output += d.toString();
      const lines = output.split('\n').filter((l) => /library\.json: importing \d+ items/.test(l)).length;
      if (lines > writes) writes = lines;
      if (writes >= 3 && !child.killed) child.kill('SIGKILL');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve({ killed: signal === 'SIGKILL', output }));
  });
}

for (const engine of sqlEngines()) {
  describe(`SIGKILL in the middle of an import (${engine})`, () => {
    let m: MigrationEnv | undefined;
    afterEach(async () => {
      await m?.cleanup();
      m = undefined;
    });

    it('leaves the database as it was; the next run completes', async () => {
      m = await migrationEnv(engine);
      expect((await m.cli('import', '--from', FIXTURE_DIR)).code).toBe(0);
      const big = join(m.dir, 'big');
      await generateLegacyDir({ dir: big, items: ITEMS, seed: 7 });
      const before = await withDb(m, tableImage);

      const run = await importAndKill(m, big);
      expect(run.output).toMatch(/library\.json: importing \d+ items/);
      expect(run.killed).toBe(true);
      // SQLite: the import had the database to itself, so it wrote with a rollback journal (import-memory.ts); the hot journal is rolled back at the next open
      const file = m.env.DATABASE_URL!.replace(/^sqlite:/, '');
      if (engine === 'sqlite') expect(existsSync(`${file}-journal`)).toBe(true);
      expect(await withDb(m, tableImage)).toEqual(before);
      if (engine === 'sqlite') expect(existsSync(`${file}-journal`)).toBe(false);

      const next = await m.cli('import', '--from', big, '--prune'); // the generated directory replaces the fixture's records
      expect(next.err).toBe('');
      expect(next.code).toBe(0);
      expect(await withDb(m, (db) => createImportSql(db.kysely, db.engine).countRows('library_items'))).toBe(ITEMS);
      expect((await m.cli('verify-import', '--from', big)).code).toBe(0);
    }, 120_000);
  });
}
