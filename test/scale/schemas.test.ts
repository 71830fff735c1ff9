import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/connect.js';
import { runCli } from '../helpers/cli.js';
import { pgUrl, sqlEngines, tempDir } from '../helpers/engines.js';
import { copyFixture, JWT, LEGACY_KEY } from '../migration/helpers.js';

describe('DATABASE_SCHEMA (configuration)', () => {
  it('is the instance schema; MEDIAOS_PG_SCHEMA is its older name; both must agree', () => {
    const pgEnv = { DATABASE_URL: 'postgres://u@h/db' };
    expect(loadConfig({ ...pgEnv, DATABASE_SCHEMA: 'tenant_a' }).pgSchema).toBe('tenant_a');
    expect(loadConfig({ ...pgEnv, MEDIAOS_PG_SCHEMA: 'tenant_b' }).pgSchema).toBe('tenant_b');
    expect(loadConfig({ ...pgEnv, DATABASE_SCHEMA: 'x', MEDIAOS_PG_SCHEMA: 'x' }).pgSchema).toBe('x');
    expect(() => loadConfig({ ...pgEnv, DATABASE_SCHEMA: 'x', MEDIAOS_PG_SCHEMA: 'y' })).toThrow(/DATABASE_SCHEMA .* MEDIAOS_PG_SCHEMA .* disagree/);
    expect(() => loadConfig({ ...pgEnv, DATABASE_SCHEMA: 'Bad-Name' })).toThrow(/DATABASE_SCHEMA must be a lowercase SQL identifier/);
    expect(() => loadConfig({ DATABASE_URL: 'sqlite:./x.db', DATABASE_SCHEMA: 'a' })).toThrow(/DATABASE_SCHEMA needs a postgres:\/\/ DATABASE_URL/);
  });
});

/** Two instances, each in its own schema of one database, each importing its own legacy dir. */
describe.skipIf(!sqlEngines().includes('postgres'))('two instances in two schemas of one PostgreSQL database', () => {
  const suffix = randomBytes(4).toString('hex');
  const schemas = [`tenant_a_${suffix}`, `tenant_b_${suffix}`];
  const dirs = schemas.map(() => tempDir());

  afterAll(async () => {
    const c = new pg.Client({ connectionString: pgUrl() });
    await c.connect();
    for (const s of schemas) await c.query(`drop schema if exists ${s} cascade`);
    await c.end();
    for (const d of dirs) d.cleanup();
  });

  it('each imports its own legacy dir into a schema it creates; neither sees the other’s users, items or jobs', async () => {
    // Instance B's legacy files: other user emails, one library item of its own.
    const legacyA = copyFixture(join(dirs[0].dir, 'legacy'));
    const legacyB = copyFixture(join(dirs[1].dir, 'legacy'));
    writeFileSync(join(legacyB, 'users.json'), readFileSync(join(legacyB, 'users.json'), 'utf8').replace(/@example\.org/gi, '@tenant-b.example'));
    const library = JSON.parse(readFileSync(join(legacyB, 'library.json'), 'utf8'));
    library.items = [{ ...library.items[0], id: 'only-in-b', title: 'Only In B' }];
    writeFileSync(join(legacyB, 'library.json'), JSON.stringify(library));

    const envs = schemas.map((schema, i) => ({
      DATABASE_URL: pgUrl(),
      DATABASE_SCHEMA: schema,
      MEDIAOS_DATA_DIR: dirs[i].dir,
      MEDIAOS_CONFIG_DIR: join(dirs[i].dir, 'config'),
      ENCRYPTION_KEY: LEGACY_KEY,
      JWT_SECRET: JWT,
      LOG_LEVEL: 'silent',
    }));
    for (const [i, from] of [legacyA, legacyB].entries()) {
      const run = await runCli(['import', '--from', from], envs[i], dirs[i].dir);
      expect(run.err).toBe('');
      expect(run.code).toBe(0);
    }

    const dbs = schemas.map((pgSchema) => openDatabase({ engine: 'postgres', location: pgUrl(), pgSchema, pgPoolMax: 2 }));
    try {
      // A job queued in A.
      await dbs[0].kysely
        .insertInto('jobs')
        .values({ id: `job-a-${suffix}`, type: 'housekeeping', payload: 'null', max_attempts: 1, run_at: new Date().toISOString() })
        .execute();
      const seen = await Promise.all(
        dbs.map(async (db) => ({
          emails: (await db.kysely.selectFrom('users').select('email').execute()).map((r) => r.email.toLowerCase()),
          titles: (await db.kysely.selectFrom('library_items').select('title').execute()).map((r) => r.title),
          jobs: (await db.kysely.selectFrom('jobs').select('id').execute()).map((r) => r.id),
          migrations: Number((await sql<{ n: number }>`select count(*)::int as n from schema_migrations`.execute(db.kysely)).rows[0].n),
          schema: (await sql<{ s: string }>`select current_schema() as s`.execute(db.kysely)).rows[0].s,
        })),
      );
      expect(seen.map((s) => s.schema)).toEqual(schemas);
      expect(seen[0].emails).toContain('owner@example.org');
      expect(seen[0].emails.some((e) => e.endsWith('@tenant-b.example'))).toBe(false);
      expect(seen[1].emails).toContain('owner@tenant-b.example');
      expect(seen[1].emails.some((e) => e.endsWith('@example.org'))).toBe(false);
      expect(seen[0].titles).toContain('Heat');
      expect(seen[0].titles).not.toContain('Only In B');
      expect(seen[1].titles).toEqual(['Only In B']);
      expect(seen[0].jobs).toContain(`job-a-${suffix}`);
      expect(seen[1].jobs).not.toContain(`job-a-${suffix}`);
      // Each schema holds its own migrations record, at the same version.
      expect(seen[0].migrations).toBeGreaterThan(0);
      expect(seen[1].migrations).toBe(seen[0].migrations);
    } finally {
      await Promise.all(dbs.map((d) => d.close()));
    }
  }, 120_000);
});
