import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createAppStateSql } from '../src/db/app-state.sql.js';
import { openDatabase } from '../src/db/connect.js';
import { migrations } from '../src/db/migrations/index.js';
import { migrateTo, migrationStatus } from '../src/db/migrator.js';
import { type RunningServer, startServer } from '../src/server.js';
import { prepareDatabase } from '../src/storage/database.js';
import { PHASE_KEY, resolvePhase } from '../src/storage/phase.js';
import { tempDir } from './helpers/engines.js';

const latest = migrations[migrations.length - 1].version;

describe('runtime', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('prepareDatabase backs up an existing database before migrating it, and not a new one', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const config = loadConfig({ MEDIAOS_DATA_DIR: dir }, dir);
    const fresh = await prepareDatabase(config);
    expect(fresh.backup).toBeUndefined();
    expect(fresh.migrated.every((r) => r.status === 'applied')).toBe(true);
    await migrateTo(fresh.db, 1);
    await fresh.db.close();

    const again = await prepareDatabase(config);
    cleanups.push(() => again.db.close());
    expect(again.backup).toMatch(/backups\/mediaos-pre-migrate-v1-/);
    expect(existsSync(again.backup!)).toBe(true);
    expect((await migrationStatus(again.db)).current).toBe(latest);
    // the backup is the database as it was: still at version 1
    const old = openDatabase({ engine: 'sqlite', location: again.backup! });
    expect((await migrationStatus(old)).current).toBe(1);
    await old.close();
  });

  it('prepareDatabase refuses a database from a newer MediaOS and leaves it alone', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const config = loadConfig({ MEDIAOS_DATA_DIR: dir }, dir);
    const p = await prepareDatabase(config);
    await p.db.kysely.insertInto('schema_migrations').values({ version: 999, name: '0999_x', applied_at: 'x' }).execute();
    await p.db.close();
    await expect(prepareDatabase(config)).rejects.toThrow(/newer version/);
  });

  it('resolvePhase: the environment wins, then the recorded phase, then db', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const p = await prepareDatabase(loadConfig({ MEDIAOS_DATA_DIR: dir }, dir));
    cleanups.push(() => p.db.close());
    expect(await resolvePhase(p.db, loadConfig({}, dir))).toBe('db');
    await createAppStateSql(p.db.kysely).set(PHASE_KEY, 'dual-read-db');
    expect(await resolvePhase(p.db, loadConfig({}, dir))).toBe('dual-read-db');
    expect(await resolvePhase(p.db, loadConfig({ MEDIAOS_STORAGE_PHASE: 'files' }, dir))).toBe('files');
  });

  it('startServer listens, answers health and closes cleanly', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const lines: string[] = [];
    const server: RunningServer = await startServer(
      loadConfig({ MEDIAOS_DATA_DIR: dir, MEDIAOS_CONFIG_DIR: join(dir, 'config'), HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent' }, dir),
      { print: (l) => lines.push(l) },
    );
    cleanups.push(() => server.close());
    const res = await fetch(`${server.url}/api/health`);
    expect(res.status).toBe(200);
    expect(lines.join('\n')).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+ \(sqlite: .*mediaos\.db; storage phase db\)/);
    await server.close();
    await expect(fetch(`${server.url}/api/health`)).rejects.toThrow();
  });
});
