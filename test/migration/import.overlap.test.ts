// The import writes grabs, verify results and wanted while it reads and checks the other files
// (import.ts readWhileWritingKeyed): a file found broken on the reading side stops those writes at
// their next batch, and the whole transaction rolls back.

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateLegacyDir } from '../../bench/generate-legacy.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { runImport } from '../../src/migration/import.js';
import { createSecretBox } from '../../src/security/secret-box.js';
import { LEGACY_KEY, type MigrationEnv, migrationEnv, tableImage } from './helpers.js';

let env: MigrationEnv | undefined;
afterEach(async () => {
  await env?.cleanup();
  env = undefined;
});

describe('import: keyed files written while the rest is read (SQLite, where each batch is a statement)', () => {
  it('a broken users.json stops the grabs at their next batch; every table as it was, no backup kept', async () => {
    env = await migrationEnv('sqlite');
    const dir = join(env.dir, 'legacy');
    await generateLegacyDir({ dir, items: 200, seed: 5, extraGrabs: 30_000 }); // 60 batches of grabs
    const users = readFileSync(join(dir, 'users.json'), 'utf8');
    writeFileSync(join(dir, 'users.json'), users.slice(0, users.length - 20));
    const db = env.open();
    try {
      await migrateToLatest(db);
      const before = await tableImage(db);
      let grabBatches = 0;
      const stop = db.observeQueries((e) => {
        if (/^insert into "grabs"/i.test(e.query.sql)) grabBatches++;
      });
      const run = runImport({ db, from: dir, dataDir: env.dir, backupRetention: 2, legacyKey: LEGACY_KEY, secretBox: createSecretBox(LEGACY_KEY) });
      await expect(run).rejects.toThrow(/users\.json: invalid JSON at line \d+, column \d+/);
      stop();
      expect(grabBatches).toBeLessThan(20); // stopped early, not after all 60
      expect(await tableImage(db)).toEqual(before);
      const backups = join(env.dir, 'backups');
      expect(existsSync(backups) ? readdirSync(backups) : []).toEqual([]); // the archive taken while reading is removed again
    } finally {
      await db.close();
    }
  });

  it('the same directory unbroken: every grab written, the counts in the report', async () => {
    env = await migrationEnv('sqlite');
    const dir = join(env.dir, 'legacy');
    await generateLegacyDir({ dir, items: 200, seed: 5, extraGrabs: 30_000 });
    const db = env.open();
    try {
      await migrateToLatest(db);
      const report = await runImport({ db, from: dir, dataDir: env.dir, backupRetention: 2, legacyKey: LEGACY_KEY, secretBox: createSecretBox(LEGACY_KEY) });
      expect(report.verify?.mismatches).toEqual([]);
      const grabs = report.files.find((f) => f.file === 'grabs.json')!;
      expect(grabs.inserted).toBe(grabs.imported);
      expect(grabs.imported).toBeGreaterThan(30_000);
      const n = db.sqlite!.prepare('select count(*) as n from grabs').get() as { n: number };
      expect(n.n).toBe(grabs.imported);
      expect(report.files.map((f) => f.file).indexOf('grabs.json')).toBeGreaterThan(report.files.map((f) => f.file).indexOf('library.json'));
    } finally {
      await db.close();
    }
  });
});
