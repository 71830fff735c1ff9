import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { type Database, type DatabaseTarget, openDatabase } from '../../src/db/connect.js';
import { PG_TEMPLATE_SCHEMA } from './global-setup.js';

export type TestEngine = 'sqlite' | 'postgres';

/** The SQL engines this run covers (STYLE.md §9: one suite, every engine). */
export function sqlEngines(): TestEngine[] {
  return inject('engines').filter((e): e is TestEngine => e === 'sqlite' || e === 'postgres');
}

export function pgUrl(): string {
  return inject('pgUrl');
}

export function tempDir(prefix = 'mediaos-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestDatabase {
  db: Database;
  target: DatabaseTarget;
  dir: string;
  /** Closes the handle and removes the file / drops the schema. */
  cleanup(): Promise<void>;
}

/** A fresh database of the given engine: a SQLite file in a temp dir, or a PostgreSQL schema of its own. */
export async function createTestTarget(engine: TestEngine): Promise<{ target: DatabaseTarget; dir: string; drop: () => Promise<void> }> {
  const { dir, cleanup } = tempDir();
  if (engine === 'sqlite') {
    return { target: { engine, location: join(dir, 'mediaos.db') }, dir, drop: async () => cleanup() };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl() });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  return {
    target: { engine, location: pgUrl(), pgSchema: schema, pgPoolMax: 5 },
    dir,
    drop: async () => {
      const c = new pg.Client({ connectionString: pgUrl() });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
      cleanup();
    },
  };
}

/**
 * A fresh migrated database: a copy of the SQLite file, or a clone of the PostgreSQL database, that
 * global-setup.ts migrated once for the run (the same schema a migration per test would build). The
 * clone's schema is renamed to a name of its own, so names derived from it (LISTEN channels) stay
 * unique. `target.location` is then the clone's URL, not pgUrl().
 */
async function createMigratedTarget(engine: TestEngine): Promise<{ target: DatabaseTarget; dir: string; drop: () => Promise<void> }> {
  const { dir, cleanup } = tempDir();
  if (engine === 'sqlite') {
    const location = join(dir, 'mediaos.db');
    copyFileSync(inject('sqliteTemplate'), location);
    return { target: { engine, location }, dir, drop: async () => cleanup() };
  }
  const template = inject('pgTemplate');
  const name = `${template}_${randomBytes(5).toString('hex')}`;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  await withPgClient(pgUrl(), (c) => c.query(`create database ${name} template ${template}`));
  const u = new URL(pgUrl());
  u.pathname = `/${name}`;
  const location = u.toString();
  await withPgClient(location, (c) => c.query(`alter schema ${PG_TEMPLATE_SCHEMA} rename to ${schema}`));
  return {
    target: { engine, location, pgSchema: schema, pgPoolMax: 5 },
    dir,
    drop: async () => {
      cleanup();
      dropInBackground(name);
    },
  };
}

/**
 * DROP DATABASE waits for a checkpoint (seconds when the server has many dirty pages), so a test
 * does not wait for it: the next test runs meanwhile, and drops that overlap share one checkpoint.
 * A drop that fails or is cut off when the worker exits is done by global-setup.ts's teardown,
 * which drops every clone of the run's template that is left.
 */
function dropInBackground(name: string): void {
  withPgClient(pgUrl(), (c) => c.query(`drop database if exists ${name} with (force)`)).catch(() => {});
}

async function withPgClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** `opts.target`: settings laid over the test target (pool size, prepared statements, ...). */
export async function createTestDatabase(engine: TestEngine, opts: { migrate?: boolean; target?: Partial<DatabaseTarget> } = {}): Promise<TestDatabase> {
  const made = opts.migrate === false ? await createTestTarget(engine) : await createMigratedTarget(engine);
  const { dir, drop } = made;
  const target = { ...made.target, ...opts.target };
  const db = openDatabase(target);
  return {
    db,
    target,
    dir,
    async cleanup() {
      await db.close();
      await drop();
    },
  };
}
