import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { type Database, openDatabase } from '../../src/db/connect.js';
import { readLegacySecret } from '../../src/security/legacy-crypto.js';
import { type CliRun, runCli } from '../helpers/cli.js';
import { createTestTarget, type TestEngine } from '../helpers/engines.js';

export const FIXTURE_DIR = join(import.meta.dirname, '..', 'fixtures', 'legacy-full');
/** The ENCRYPTION_KEY the fixture's ciphertexts were made with (also FORMATS.md §2.2's test key). */
export const LEGACY_KEY = 'test-encryption-key-0123456789abcdef';
export const JWT = 'test-jwt-secret-0123456789abcdef-0123456789';
/** FORMATS.md §2.1 test vector password (the fixture's users). */
export const FIXTURE_PASSWORD = 'Example#Pass1';

export interface MigrationEnv {
  engine: TestEngine;
  /** The temp dir: data dir; the live config dir is `<dir>/config`. */
  dir: string;
  env: Record<string, string>;
  cli(...args: string[]): Promise<CliRun>;
  open(): Database;
  cleanup(): Promise<void>;
}

/** A fresh database of `engine` (not migrated: the CLI does that) and the env the CLI needs. */
export async function migrationEnv(engine: TestEngine, extra: Record<string, string> = {}): Promise<MigrationEnv> {
  const { target, dir, drop } = await createTestTarget(engine);
  const env: Record<string, string> = {
    MEDIAOS_DATA_DIR: dir,
    MEDIAOS_CONFIG_DIR: join(dir, 'config'),
    ENCRYPTION_KEY: LEGACY_KEY,
    JWT_SECRET: JWT,
    LOG_LEVEL: 'silent',
    DATABASE_URL: engine === 'sqlite' ? `sqlite:${target.location}` : target.location,
    ...(target.pgSchema ? { MEDIAOS_PG_SCHEMA: target.pgSchema } : {}),
    ...extra,
  };
  return {
    engine,
    dir,
    env,
    cli: (...args) => runCli(args, env, dir),
    open: () => openDatabase(target),
    cleanup: drop,
  };
}

export function copyFixture(to: string): string {
  cpSync(FIXTURE_DIR, to, { recursive: true });
  return to;
}

/** Every string that is a legacy ciphertext under `key` replaced by its plaintext (deep). */
export function decryptDeep(value: unknown, key: string): unknown {
  if (typeof value === 'string') {
    const r = readLegacySecret(value, key);
    return r.kind === 'decrypted' ? r.value : value;
  }
  if (Array.isArray(value)) return value.map((v) => decryptDeep(v, key));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = decryptDeep(v, key);
    return out;
  }
  return value;
}

/** The .json files of a dir, parsed, secrets decrypted. */
export function readDirValues(dir: string, key: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort())
    out[f] = decryptDeep(JSON.parse(readFileSync(join(dir, f), 'utf8')), key);
  return out;
}

export function readDirBytes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).sort()) out[f] = readFileSync(join(dir, f)).toString('base64');
  return out;
}

const DATA_TABLES = [
  'users',
  'library_items',
  'wanted_items',
  'downloaders',
  'indexers',
  'quality_profiles',
  'grabs',
  'verify_results',
  'settings',
  'import_quarantine',
  'import_runs',
  'app_state',
];

/** Every row of the tables an import touches (secrets still sealed), sorted: a logical image of the database. */
export async function tableImage(db: Database): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of DATA_TABLES) {
    const rows = (await sql.raw(`select * from ${t}`).execute(db.kysely)).rows.map((r) => JSON.stringify(r));
    out[t] = rows.sort();
  }
  return out;
}

export async function withDb<T>(m: MigrationEnv, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = m.open();
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}
