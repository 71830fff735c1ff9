// PostgreSQL's first import loads library items with COPY FROM STDIN (src/db/pg-copy.ts); a batch
// whose ids may repeat an earlier one goes in with INSERT ... ON CONFLICT, and the repeat is quarantined.
// The keyed files (grabs, verify results, wanted) go in by COPY too, and the read-back check of the
// library is one digest query there (no library row read back).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { generateLegacyDir } from '../../bench/generate-legacy.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { runImport } from '../../src/migration/import.js';
import { createSecretBox } from '../../src/security/secret-box.js';
import { sqlEngines } from '../helpers/engines.js';
import { LEGACY_KEY, type MigrationEnv, migrationEnv } from './helpers.js';

let env: MigrationEnv | undefined;
afterEach(async () => {
  await env?.cleanup();
  env = undefined;
});

for (const engine of sqlEngines()) {
  describe(`library bulk load, COPY on PostgreSQL (${engine})`, () => {
    it.each([{ repeat: false }, { repeat: true }])(
      '1,200 items, an id repeated at the end: $repeat',
      async ({ repeat }) => {
        env = await migrationEnv(engine);
        const from = join(env.dir, 'legacy');
        await generateLegacyDir({ dir: from, items: 1200, seed: 3 });
        const path = join(from, 'library.json');
        const library = JSON.parse(readFileSync(path, 'utf8')) as { items: Record<string, unknown>[] };
        if (repeat) library.items.push({ ...library.items[5]!, title: 'A title nobody else has' });
        writeFileSync(path, JSON.stringify(library));
        const db = env.open();
        const statements: string[] = [];
        try {
          await migrateToLatest(db);
          const stop = db.observeQueries((e) => statements.push(e.query.sql));
          const report = await runImport({ db, from, dataDir: env.dir, backupRetention: 2, legacyKey: LEGACY_KEY, secretBox: createSecretBox(LEGACY_KEY) });
          stop();
          expect(report.status).toBe('completed');
          expect(report.verify?.mismatches).toEqual([]);
          const inserts = statements.filter((s) => /^insert into library_items\b/i.test(s.trim()));
          // PostgreSQL: COPY for every batch but the one holding the repeated id; SQLite: INSERTs (3 batches)
          expect(inserts.length).toBe(engine === 'postgres' ? (repeat ? 1 : 0) : 3);
          const n = await sql<{ n: number }>`select cast(count(*) as integer) as n from library_items`.execute(db.kysely);
          expect(n.rows[0]!.n).toBe(1200);
          const q = await sql<{ reason: string }>`select reason from import_quarantine`.execute(db.kysely);
          expect(q.rows.filter((r) => /duplicate id/.test(r.reason)).length).toBe(repeat ? 1 : 0);
        } finally {
          await db.close();
        }
      },
      120_000,
    );

    it('keyed files by COPY, the library and each keyed file checked by one digest query in the database', async () => {
      env = await migrationEnv(engine);
      const from = join(env.dir, 'legacy');
      await generateLegacyDir({ dir: from, items: 3000, seed: 5 });
      const db = env.open();
      const statements: string[] = [];
      try {
        await migrateToLatest(db);
        const stop = db.observeQueries((e) => statements.push(e.query.sql));
        const report = await runImport({ db, from, dataDir: env.dir, backupRetention: 2, legacyKey: LEGACY_KEY, secretBox: createSecretBox(LEGACY_KEY) });
        stop();
        expect(report.status).toBe('completed');
        expect(report.verify?.mismatches).toEqual([]);
        const counts: Record<string, number> = {};
        for (const file of report.files) counts[file.file] = file.imported;
        for (const [file, table] of [
          ['grabs.json', 'grabs'],
          ['verify-results.json', 'verify_results'],
          ['wanted.json', 'wanted_items'],
        ] as const) {
          expect(counts[file], file).toBeGreaterThanOrEqual(100);
          const n = await sql<{ n: number }>`select cast(count(*) as integer) as n from ${sql.table(table)}`.execute(db.kysely);
          expect(n.rows[0]!.n).toBe(counts[file]);
          const inserts = statements.filter((s) => new RegExp(`^insert into "?${table}"?[ (]`, 'i').test(s.trim()));
          // every batch of a keyed file is at least COPY_MIN_ROWS but the last one
          if (engine === 'postgres') expect(inserts.length, table).toBeLessThanOrEqual(1);
          else expect(inserts.length, table).toBeGreaterThan(0);
        }
        // (the keyed rows' library links are looked up by id when they go in: ids only, not a read-back)
        const libraryReads = statements.filter((s) => /from "library_items"/i.test(s) && /"seq" >|"id" in/i.test(s) && !/^select "id" from/i.test(s));
        // PostgreSQL sums an md5 of each row's text; SQLite an aggregate of our own (digest.ts)
        const digestQueries = statements.filter((s) => (engine === 'postgres' ? /md5\(/i : /mediaos_rows_digest\(/i).test(s));
        expect(libraryReads).toEqual([]);
        // ... once for the library and once for each keyed file, none of which is read a second time
        expect(digestQueries.length).toBe(4);
        expect(report.verify?.byDigest).toEqual(['library.json', 'wanted.json', 'grabs.json', 'verify-results.json']);
        const keyedReads = statements.filter((s) => /^select .* from "(grabs|verify_results|wanted_items)" where "(key|id)" in/i.test(s.trim()));
        expect(keyedReads).toEqual([]);
      } finally {
        await db.close();
      }
    }, 120_000);
  });
}
