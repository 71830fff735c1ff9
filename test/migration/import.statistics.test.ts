// After a PostgreSQL import commits, the tables it filled get VACUUM (ANALYZE): planner statistics
// and a visibility map (index-only counts) right away instead of whenever autovacuum runs.
// A failure there is reported and leaves the committed import as it is.

import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { generateLegacyDir } from '../../bench/generate-legacy.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { runImport } from '../../src/migration/import.js';
import { BULK_TABLES, refreshStatistics } from '../../src/migration/import-statistics.js';
import { summaryLines } from '../../src/migration/report.js';
import { createSecretBox } from '../../src/security/secret-box.js';
import { sqlEngines } from '../helpers/engines.js';
import { LEGACY_KEY, type MigrationEnv, migrationEnv } from './helpers.js';

let env: MigrationEnv | undefined;
afterEach(async () => {
  await env?.cleanup();
  env = undefined;
});

for (const engine of sqlEngines()) {
  describe(`planner statistics after an import (${engine})`, () => {
    it('refreshes them once the import changed rows, not on a dry run or a run that changed nothing', async () => {
      env = await migrationEnv(engine);
      const from = join(env.dir, 'legacy');
      await generateLegacyDir({ dir: from, items: 600, seed: 4 });
      const db = env.open();
      try {
        await migrateToLatest(db);
        const opts = { db, from, dataDir: env.dir, backupRetention: 2, legacyKey: LEGACY_KEY, secretBox: createSecretBox(LEGACY_KEY) };
        const phases: string[] = [];
        const dry = await runImport({ ...opts, dryRun: true, progress: { phase: (p) => phases.push(p), library: () => {} } });
        expect(dry.statistics).toBeUndefined();
        expect(phases).not.toContain('statistics');

        const report = await runImport({ ...opts, progress: { phase: (p) => phases.push(p), library: () => {} } });
        expect(report.status).toBe('completed');
        if (engine === 'sqlite') {
          expect(report.statistics).toBeUndefined();
          expect(phases).not.toContain('statistics');
          return;
        }
        expect(report.statistics).toMatchObject({ ok: true });
        expect(phases.at(-1)).toBe('statistics');
        expect(summaryLines(report).some((l) => /planner statistics refreshed/.test(l))).toBe(true);
        // VACUUM sets the visibility map (relallvisible), ANALYZE fills pg_stats
        const vis = await sql<{ relname: string; relallvisible: number }>`
          select relname, relallvisible from pg_class where relnamespace = current_schema()::regnamespace and relname in (${sql.join([...BULK_TABLES])})`.execute(
          db.kysely,
        );
        expect(vis.rows.find((r) => r.relname === 'library_items')?.relallvisible).toBeGreaterThan(0);
        const stats = await sql<{ n: number }>`
          select cast(count(*) as integer) as n from pg_stats where schemaname = current_schema() and tablename = 'library_items'`.execute(db.kysely);
        expect(stats.rows[0]!.n).toBeGreaterThan(0);

        const again = await runImport(opts);
        expect(again.changed).toBe(false);
        expect(again.statistics).toBeUndefined();
      } finally {
        await db.close();
      }
    }, 120_000);

    it('reports a failure without throwing (the rows are committed before it runs)', async () => {
      env = await migrationEnv(engine);
      const db = env.open();
      try {
        // no migrations: the tables it names do not exist
        const result = await refreshStatistics(db);
        if (engine === 'sqlite') {
          expect(result).toBeUndefined();
          return;
        }
        expect(result?.ok).toBe(false);
        expect(result?.error).toMatch(/library_items/);
        const lines = summaryLines({ files: [], quarantine: [], warnings: [], dryRun: false, changed: true, statistics: result } as never);
        expect(lines.some((l) => /warning: the planner statistics were not refreshed .*library_items/.test(l))).toBe(true);
      } finally {
        await db.close();
      }
    });
  });
}
