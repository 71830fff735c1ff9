import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backupDatabase } from '../../src/db/backup.js';
import { type Database, openDatabase } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { archiveConfigDir } from '../../src/migration/backup.js';
import { tempDir } from '../helpers/engines.js';

const mode = (p: string) => statSync(p).mode & 0o777;

describe('file modes of the database and its backups (they hold password hashes and sessions)', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  function open(location: string): Database {
    const db = openDatabase({ engine: 'sqlite', location, createDirectory: true });
    cleanups.push(() => db.close());
    return db;
  }

  it('a new database, its -wal and -shm are 0600 and the data dir we create is 0700', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const dataDir = join(dir, 'data');
    const file = join(dataDir, 'mediaos.db');
    const db = open(file);
    await migrateToLatest(db);
    expect(mode(dataDir)).toBe(0o700);
    expect([mode(file), mode(`${file}-wal`), mode(`${file}-shm`)]).toEqual([0o600, 0o600, 0o600]);
  });

  it('an existing 0644 database and its -wal/-shm are made 0600 when opened; an existing directory keeps its mode', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    chmodSync(dir, 0o755);
    const file = join(dir, 'mediaos.db');
    const first = openDatabase({ engine: 'sqlite', location: file });
    await migrateToLatest(first);
    await first.close();
    writeFileSync(`${file}-wal`, '');
    writeFileSync(`${file}-shm`, '');
    for (const p of [file, `${file}-wal`, `${file}-shm`]) chmodSync(p, 0o644);
    open(file);
    expect([mode(file), mode(`${file}-wal`), mode(`${file}-shm`)]).toEqual([0o600, 0o600, 0o600]);
    expect(mode(dir)).toBe(0o755);
  });

  it('database backups and config archives are 0600 in a 0700 backups dir', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const db = open(join(dir, 'mediaos.db'));
    await migrateToLatest(db);
    const backup = await backupDatabase(db, dir, 'test');
    expect(mode(backup!)).toBe(0o600);
    expect(mode(join(dir, 'backups'))).toBe(0o700);
    const config = join(dir, 'config');
    mkdirSync(config);
    writeFileSync(join(config, 'users.json'), '{}');
    const archive = await archiveConfigDir(config, dir, 3);
    expect(mode(archive!)).toBe(0o600);
  });
});
