import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { prepareDatabase } from '../../src/storage/database.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/engines.js';

const asRoot = process.getuid?.() === 0;

describe('database open errors name the path, the reason and what to set', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => {
    cleanup?.();
    cleanup = undefined;
  });

  it('sqlite:/missing/dir/x.db is refused instead of creating the directory', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const target = join(t.dir, 'nonexistent', 'dir', 'x.db');
    const r = await runCli(['migrate'], { MEDIAOS_DATA_DIR: join(t.dir, 'data'), DATABASE_URL: `sqlite:${target}` });
    expect(r.code).toBe(1);
    expect(r.err).toContain(`cannot open the SQLite database ${target}: the directory ${join(t.dir, 'nonexistent', 'dir')} does not exist`);
    expect(r.err).toContain('DATABASE_URL');
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(t.dir, 'nonexistent'))).toBe(false);
    // the default data directory is still created
    const ok = await runCli(['migrate'], { MEDIAOS_DATA_DIR: join(t.dir, 'fresh', 'data') });
    expect(ok.code).toBe(0);
    expect(existsSync(join(t.dir, 'fresh', 'data', 'mediaos.db'))).toBe(true);
  });

  it('a path that is a directory, a file in the way of the data directory', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    mkdirSync(join(t.dir, 'db-is-dir.db'));
    const r = await runCli(['migrate'], { MEDIAOS_DATA_DIR: t.dir, DATABASE_URL: `sqlite:${join(t.dir, 'db-is-dir.db')}` });
    expect(r.err).toContain(`cannot open the SQLite database ${join(t.dir, 'db-is-dir.db')}: the path is a directory`);
    writeFileSync(join(t.dir, 'blocker'), 'x');
    const d = await runCli(['migrate'], { MEDIAOS_DATA_DIR: join(t.dir, 'blocker', 'data') });
    expect(d.code).toBe(1);
    expect(d.err).toMatch(
      new RegExp(`cannot create the data directory ${join(t.dir, 'blocker', 'data')} \\(ENOTDIR\\): set MEDIAOS_DATA_DIR to a writable directory`),
    );
  });

  it.skipIf(asRoot)('a read-only directory: names the file and the directory', async () => {
    const t = tempDir();
    cleanup = () => {
      chmodSync(join(t.dir, 'ro'), 0o755);
      t.cleanup();
    };
    mkdirSync(join(t.dir, 'ro'));
    chmodSync(join(t.dir, 'ro'), 0o555);
    const r = await runCli(['migrate'], { MEDIAOS_DATA_DIR: join(t.dir, 'ro') });
    expect(r.code).toBe(1);
    expect(r.err).toContain(`cannot open the SQLite database ${join(t.dir, 'ro', 'mediaos.db')}: the directory ${join(t.dir, 'ro')} is not writable (EACCES`);
    const sub = await runCli(['migrate'], { MEDIAOS_DATA_DIR: join(t.dir, 'ro', 'data') });
    expect(sub.err).toMatch(/cannot create the data directory .*ro\/data \(EACCES\): set MEDIAOS_DATA_DIR/);
  });

  it('an unknown PostgreSQL host mentions DATABASE_URL and the host, never the password', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const config = loadConfig({ MEDIAOS_DATA_DIR: t.dir, DATABASE_URL: 'postgres://mediaos:S3cret-pw@nohost.invalid:5433/mediaos' }, t.dir);
    const err = await prepareDatabase(config).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toBe('cannot reach the PostgreSQL server nohost.invalid:5433 from DATABASE_URL (ENOTFOUND: host name not found); check DATABASE_URL');
    expect(err?.message).not.toContain('S3cret');
  });
});
