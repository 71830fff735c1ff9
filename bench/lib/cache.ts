/**
 * The imported databases of bench/run.ts kept between runs (`--cache DIR`): generating and
 * importing 1M items costs minutes each time, the rows after it need only the imported state.
 *
 * Per size, DIR/<size>/ holds:
 * - `legacy/` + `legacy.json`: the generated legacy dir (seed 7) and a stamp naming the items,
 *   the seed and a hash of bench/generate-legacy.ts (a changed generator makes a new dir);
 * - `<engine>/` + `<engine>.json` (sqlite, postgres): the data dir the import wrote (SQLite: the
 *   database file; both: secrets.json, whose keys decrypt the stored secrets) and a stamp with the
 *   import's figures. A dir without its stamp (an interrupted import) is built again.
 * Each run gets the imported state, never the previous run's writes:
 * - SQLite: the database file is copied into the run's own data dir;
 * - PostgreSQL: the imported schema is kept (copying 1M rows and their indexes costs about what
 *   the import does) and what the bench wrote is deleted after each run: the ids it writes all
 *   carry the run's tag (`bench-<engine><size>-`, `<tag>-<engine><size>-` for wanted items).
 *   The server's own work stays (the first start's missing-items search, job rows).
 */
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateLegacyDir } from '../generate-legacy.js';
import { ROOT, runCli } from './server.js';

const SEED = 7;

export interface LegacyStamp {
  items: number;
  seed: number;
  generator: string;
  generatedAt: string;
}

export interface ImportStamp {
  items: number;
  seed: number;
  generator: string;
  engine: 'sqlite' | 'postgres';
  /** PostgreSQL: the schema that holds the import. */
  schema?: string;
  importedAt: string;
  importMs: number;
  peakRssMb: number;
}

export interface PreparedDatabase {
  /** The server's and CLI's environment for this run (data dir, config dir, phase, PostgreSQL schema). */
  env: Record<string, string>;
  /** Import figures: of this run's import, or (fromCache) of the import the cache holds. */
  importMs: number;
  peakRssMb: number;
  fromCache?: ImportStamp;
  /** After the run: PostgreSQL, deletes what the bench wrote (cached) or drops the schema (not cached). */
  cleanup(): Promise<void>;
}

function generatorHash(): string {
  return createHash('sha256')
    .update(readFileSync(join(ROOT, 'bench/generate-legacy.ts')))
    .digest('hex')
    .slice(0, 16);
}

function readStamp<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** The generated legacy dir of `size` items: the cached one when its stamp matches, else made now. */
export async function legacyDirFor(cache: string, size: number): Promise<{ dir: string; generatedMs?: number }> {
  const base = join(cache, String(size));
  const dir = join(base, 'legacy');
  const stampFile = join(base, 'legacy.json');
  const generator = generatorHash();
  const stamp = readStamp<LegacyStamp>(stampFile);
  if (stamp?.items === size && stamp.seed === SEED && stamp.generator === generator && existsSync(dir)) return { dir };
  // The imports made from an older dir go with it.
  rmSync(base, { recursive: true, force: true });
  mkdirSync(base, { recursive: true });
  const t0 = performance.now();
  await generateLegacyDir({ dir, items: size, seed: SEED });
  writeFileSync(stampFile, JSON.stringify({ items: size, seed: SEED, generator, generatedAt: new Date().toISOString() } satisfies LegacyStamp));
  return { dir, generatedMs: Math.round(performance.now() - t0) };
}

/** The schema name of a cache's PostgreSQL import: one per cache dir and size. */
export function cachedSchemaName(cache: string, size: number): string {
  return `bench_cache_${createHash('sha256').update(cache).digest('hex').slice(0, 8)}_${size}`;
}

/**
 * Imports `legacy` for one run (no cache: into `work`, as the bench always did) or takes the
 * cached import (cache: imported once into the cache, then copied or reused per run).
 */
export async function prepareDatabase(opts: {
  engine: 'sqlite' | 'postgres';
  size: number;
  legacy: string;
  work: string;
  cache?: string;
  pg?: string;
  serverRoot: string;
  /** The tag in the ids the bench writes (`<engine><size>`), for the PostgreSQL clean-up. */
  run: string;
  env: Record<string, string>;
}): Promise<PreparedDatabase> {
  const { engine, size } = opts;
  const data = join(opts.work, `data-${engine}`);
  mkdirSync(data, { recursive: true });
  if (!opts.cache) {
    const configDir = join(opts.work, `config-${engine}`);
    cpSync(opts.legacy, configDir, { recursive: true });
    const env: Record<string, string> = { ...opts.env, MEDIAOS_DATA_DIR: data, MEDIAOS_CONFIG_DIR: configDir };
    if (engine === 'postgres') {
      env.MEDIAOS_PG_SCHEMA = `bench_${size}_${Date.now()}`;
      await pgQuery(opts.pg!, `create schema ${env.MEDIAOS_PG_SCHEMA}`);
    }
    const imp = await importInto(env, opts.serverRoot);
    return {
      env,
      importMs: imp.ms,
      peakRssMb: imp.peakRssMb,
      cleanup: async () => {
        if (env.MEDIAOS_PG_SCHEMA) await pgQuery(opts.pg!, `drop schema if exists ${env.MEDIAOS_PG_SCHEMA} cascade`);
      },
    };
  }

  const base = join(opts.cache, String(size));
  const cachedData = join(base, engine);
  const stampFile = join(base, `${engine}.json`);
  const generator = generatorHash();
  const schema = engine === 'postgres' ? cachedSchemaName(opts.cache, size) : undefined;
  // The server reads nothing from the config dir in phase db: the cached legacy dir serves as it.
  const cachedEnv = { ...opts.env, MEDIAOS_DATA_DIR: cachedData, MEDIAOS_CONFIG_DIR: opts.legacy, ...(schema ? { MEDIAOS_PG_SCHEMA: schema } : {}) };
  let stamp = readStamp<ImportStamp>(stampFile);
  const valid =
    stamp?.items === size &&
    stamp.seed === SEED &&
    stamp.generator === generator &&
    stamp.schema === schema &&
    (!schema || (await schemaExists(opts.pg!, schema)));
  let fromCache: ImportStamp | undefined = stamp;
  if (!valid) {
    fromCache = undefined;
    rmSync(stampFile, { force: true });
    rmSync(cachedData, { recursive: true, force: true });
    mkdirSync(cachedData, { recursive: true });
    if (schema) {
      await pgQuery(opts.pg!, `drop schema if exists ${schema} cascade`);
      await pgQuery(opts.pg!, `create schema ${schema}`);
    }
    const imp = await importInto(cachedEnv, opts.serverRoot);
    stamp = { items: size, seed: SEED, generator, engine, schema, importedAt: new Date().toISOString(), importMs: imp.ms, peakRssMb: imp.peakRssMb };
    writeFileSync(stampFile, JSON.stringify(stamp));
  }
  const imported = stamp!;
  // The run's data dir: a copy of the cached one (SQLite: the database; a checkpointed file, the CLI closed it).
  for (const file of ['mediaos.db', 'secrets.json']) {
    if (existsSync(join(cachedData, file))) copyFileSync(join(cachedData, file), join(data, file));
  }
  const env = { ...cachedEnv, MEDIAOS_DATA_DIR: data };
  if (schema) await deleteBenchWrites(opts.pg!, schema, opts.run); // an interrupted run's leftovers
  return {
    env,
    importMs: imported.importMs,
    peakRssMb: imported.peakRssMb,
    fromCache,
    cleanup: async () => {
      if (schema) await deleteBenchWrites(opts.pg!, schema, opts.run);
    },
  };
}

async function importInto(env: Record<string, string>, serverRoot: string) {
  const imp = await runCli(['import', '--from', env.MEDIAOS_CONFIG_DIR], env, serverRoot);
  if (imp.code !== 0 && imp.code !== 3) throw new Error(`import failed (${imp.code}):\n${imp.out}`);
  return imp;
}

/** Deletes the library and wanted items the bench adds (ids tagged with `run`) from a kept schema. */
async function deleteBenchWrites(url: string, schema: string, run: string): Promise<void> {
  await pgQuery(url, `delete from ${schema}.wanted_items where item_id ~ $1`, [`^[a-z]+-${run}-[0-9]+$`]);
  await pgQuery(url, `delete from ${schema}.library_items where id ~ $1`, [`^bench-${run}-[0-9]+$`]);
}

async function schemaExists(url: string, schema: string): Promise<boolean> {
  const rows = await pgQuery(url, 'select 1 from information_schema.schemata where schema_name = $1', [schema]);
  return rows.length > 0;
}

/** One statement on the benchmark's PostgreSQL. */
export async function pgQuery(url: string, text: string, values: unknown[] = []): Promise<unknown[]> {
  const pg = (await import('pg')).default;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, values)).rows;
  } finally {
    await c.end();
  }
}
