import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../src/db/migrations/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/engines.js';

const latest = migrations[migrations.length - 1];

describe('mediaos migrate', () => {
  it('status, up, dry-run down, down, --to, with a backup before changing an existing database', async () => {
    const { dir, cleanup } = tempDir();
    const env = { MEDIAOS_DATA_DIR: dir };
    try {
      let r = await runCli(['migrate', 'status'], env);
      expect(r.out).toMatch(/current version: 0/);
      expect(r.out).toMatch(new RegExp(`pending\\s+${String(latest.version).padStart(4, '0')} ${latest.name}`));

      r = await runCli(['migrate', '--dry-run'], env);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/CREATE TABLE users/);
      expect(r.out).toMatch(/schema version: 0 \(dry run: unchanged\)/);

      r = await runCli(['migrate'], env);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`up\\s+${latest.name}: applied`));
      expect((await runCli(['migrate', 'status'], env)).out).toMatch(/up to date/);

      const db = join(dir, 'mediaos.db');
      const hash = () => createHash('sha256').update(readFileSync(db)).digest('hex');
      const before = hash();
      r = await runCli(['migrate', 'down', '--dry-run'], env);
      expect(r.out).toMatch(new RegExp(`down ${latest.name}: dry-run`));
      r = await runCli(['migrate', '--to', '0', '--dry-run'], env);
      expect(r.out).toMatch(/DROP TABLE IF EXISTS users/);
      expect(hash()).toBe(before);

      r = await runCli(['migrate', '--to', '0'], env);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`backup: .*backups/mediaos-pre-migrate-v${latest.version}-`));
      expect(r.out).toMatch(/schema version: 0/);
      expect(readdirSync(join(dir, 'backups')).length).toBe(1);

      r = await runCli(['migrate', '--to', 'x'], env);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/--to must be a version number/);

      r = await runCli(['migrate', '--to', '77'], env);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/unknown migration version 77/);

      await runCli(['migrate'], env);
      r = await runCli(['migrate', 'down'], env);
      expect(r.out).toMatch(new RegExp(`down ${latest.name}: reverted`));
    } finally {
      cleanup();
    }
  });
});
