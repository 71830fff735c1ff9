import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrator.js';

/** The schema the PostgreSQL template holds its tables in; each clone renames it to a name of its own. */
export const PG_TEMPLATE_SCHEMA = 'mediaos_template';

/**
 * Decides once per run whether the PostgreSQL suite runs. The URL comes from MEDIAOS_TEST_PG_URL
 * (default: the machine's local server). Unreachable: the suite is skipped with one line saying
 * why, unless MEDIAOS_TEST_REQUIRE_PG=1 (CI), where it is a failure.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = process.env.MEDIAOS_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
  const wanted = (process.env.MEDIAOS_TEST_ENGINES || 'sqlite,postgres').split(',').map((s) => s.trim());
  if (process.env.MEDIAOS_TEST_REQUIRE_PG === '1' && !wanted.includes('postgres')) wanted.push('postgres');
  let pgUrl = '';
  if (wanted.includes('postgres')) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      pgUrl = url;
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      if (process.env.MEDIAOS_TEST_REQUIRE_PG === '1') {
        throw new Error(`PostgreSQL is required (MEDIAOS_TEST_REQUIRE_PG=1) but ${url.replace(/:[^:@/]*@/, ':***@')} is unreachable: ${why}`);
      }
      console.log(`PostgreSQL suite skipped: ${url.replace(/:[^:@/]*@/, ':***@')} is unreachable (${why})`);
    } finally {
      await client.end().catch(() => {});
    }
  }
  project.provide('pgUrl', pgUrl);
  const engines = wanted.filter((e) => e !== 'postgres' || pgUrl);
  project.provide('engines', engines);
  // SQLite always: tests of a PostgreSQL-only run still use it as the other side (db copy, dump, restore)
  const sqlite = await migratedSqliteTemplate();
  const postgres = pgUrl ? await migratedPgTemplate(pgUrl) : { name: '', drop: async () => {} };
  project.provide('sqliteTemplate', sqlite.path);
  project.provide('pgTemplate', postgres.name);
  return async () => {
    await sqlite.drop();
    await postgres.drop();
  };
}

/**
 * Every test that wants a migrated database gets a copy of one migrated once here (test/helpers/
 * engines.ts), instead of running every migration again: on PostgreSQL that was ~0.5 s of DDL
 * round trips per test app. The migrations themselves are tested where they run (test/db/).
 */
async function migratedSqliteTemplate(): Promise<{ path: string; drop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'mediaos-template-'));
  const path = join(dir, 'template.db');
  const db = openDatabase({ engine: 'sqlite', location: path });
  try {
    const { error } = await migrateToLatest(db);
    if (error) throw new Error(`migrating the SQLite test template: ${error}`);
  } finally {
    await db.close(); // checkpoints the WAL into the file: the file alone is the whole database
  }
  return { path, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A database of this run holding the migrated schema `mediaos_template`; the clones and the template
 * are named after the run so concurrent runs on one server never share one. CREATE DATABASE ...
 * TEMPLATE needs the template to have no connections, so this one closes its own.
 */
async function migratedPgTemplate(url: string): Promise<{ name: string; drop: () => Promise<void> }> {
  const name = `mediaos_tpl_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  const db = openDatabase({ engine: 'postgres', location: u.toString(), pgSchema: PG_TEMPLATE_SCHEMA, pgPoolMax: 1 });
  try {
    const { error } = await migrateToLatest(db);
    if (error) throw new Error(`migrating the PostgreSQL test template: ${error}`);
  } finally {
    await db.close();
  }
  return {
    name,
    drop: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        // the clones whose background drop had not finished (engines.ts), then the template
        const left = await c.query<{ datname: string }>('select datname from pg_database where datname like $1', [`${name}\\_%`]);
        for (let i = 0; i < left.rows.length; i += 8) await Promise.all(left.rows.slice(i, i + 8).map((r) => dropDatabase(url, r.datname)));
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
    engines: string[];
    /** A migrated SQLite file to copy. */
    sqliteTemplate: string;
    /** The migrated PostgreSQL database to clone ('' when PostgreSQL is not in this run). */
    pgTemplate: string;
  }
}

/** On a connection of its own, so that concurrent drops share one checkpoint. A failure leaves the clone and says so. */
async function dropDatabase(url: string, name: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  try {
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
  } catch (err) {
    console.log(`test database ${name} left on the server: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await c.end().catch(() => {});
  }
}
