import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { type Database, type DatabaseTarget, openDatabase } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrator.js';

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

export async function createTestDatabase(engine: TestEngine, opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const { target, dir, drop } = await createTestTarget(engine);
  const db = openDatabase(target);
  if (opts.migrate !== false) {
    const { error } = await migrateToLatest(db);
    if (error) throw new Error(error);
  }
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
