import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createImportSql } from '../../src/migration/import.sql.js';
import { runStartupHooks } from '../../src/startup.js';
import { prepareDatabase } from '../../src/storage/database.js';
import { readPhase } from '../../src/storage/phase.js';
import { sqlEngines } from '../helpers/engines.js';
import { FIXTURE_DIR, LEGACY_KEY, type MigrationEnv, migrationEnv, readDirValues, withDb } from './helpers.js';

for (const engine of sqlEngines()) {
  describe(`phases, rollback and the first-start import (${engine})`, () => {
    let m: MigrationEnv | undefined;
    afterEach(async () => {
      await m?.cleanup();
      m = undefined;
    });

    it('moves forward only when verify-import is clean', async () => {
      m = await migrationEnv(engine);
      const config = join(m.dir, 'config');
      cpSync(FIXTURE_DIR, config, { recursive: true });
      expect((await m.cli('phase')).out).toContain('storage phase: db (default: nothing recorded)');
      const early = await m.cli('phase', 'set', 'dual-read-files');
      expect(early.code).toBe(1);
      expect(early.err).toMatch(/refusing to move from files to dual-read-files: the database differs/);
      expect(early.err).toContain('users.json /user_1733000000000_k3j9x0abc: missing in the database');

      expect((await m.cli('import')).code).toBe(0);
      expect((await m.cli('phase', 'set', 'dual-read-files')).out).toContain('storage phase: files -> dual-read-files');
      await withDb(m, (db) => sql`delete from library_items where id = 'the-wire'`.execute(db.kysely));
      const refused = await m.cli('phase', 'set', 'dual-read-db');
      expect(refused.code).toBe(1);
      expect(refused.err).toContain('library.json /items/1: missing in the database');
      expect((await m.cli('import')).code).toBe(0);
      expect((await m.cli('phase', 'set', 'dual-read-db')).code).toBe(0);
      expect((await m.cli('phase', 'set', 'db')).code).toBe(0);
      expect((await m.cli('phase', 'show')).out).toContain('storage phase: db');
      const back = await m.cli('phase', 'set', 'files');
      expect(back.code).toBe(1);
      expect(back.err).toContain('run `mediaos rollback`');
    });

    it('phase set --from checks another legacy directory, like import --from', async () => {
      m = await migrationEnv(engine);
      const elsewhere = join(m.dir, 'legacy-copy');
      cpSync(FIXTURE_DIR, elsewhere, { recursive: true });
      expect((await m.cli('import', '--from', elsewhere)).code).toBe(0);
      // MEDIAOS_CONFIG_DIR holds nothing: the default check fails, --from checks the imported copy
      const plain = await m.cli('phase', 'set', 'dual-read-files');
      expect(plain.code).toBe(1);
      expect(plain.err).toContain(`the database differs from ${join(m.dir, 'config')}`);
      const moved = await m.cli('phase', 'set', 'dual-read-files', '--from', 'legacy-copy');
      expect([moved.code, moved.err]).toEqual([0, '']);
      expect(moved.out).toContain('storage phase: files -> dual-read-files');
      expect(moved.out).toContain(`warning: the server uses MEDIAOS_CONFIG_DIR=${join(m.dir, 'config')}; set it to ${elsewhere} before restarting`);
    });

    it('rollback archives the dir, exports into it, sets phase files and names argon2 users', async () => {
      m = await migrationEnv(engine);
      const config = join(m.dir, 'config');
      cpSync(FIXTURE_DIR, config, { recursive: true });
      expect((await m.cli('import')).code).toBe(0);
      await withDb(m, (db) =>
        sql`update users set password_hash = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', updated_at = '2025-01-01T00:00:00.000Z' where id = 'user_1733000500000_q8w7e6r5t'`.execute(
          db.kysely,
        ),
      );
      await withDb(m, (db) => sql`delete from settings where key = 'monitor'`.execute(db.kysely));
      const r = await m.cli('rollback');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/archived the previous config dir: .*config-rollback-.*\.tar\.gz/);
      expect(r.out).toContain('removed monitor.json');
      expect(r.out).toContain('1 user(s) cannot log in to the old server');
      expect(r.out).toContain('viewer@example.org (user_1733000500000_q8w7e6r5t)');
      expect((await m.cli('phase')).out).toContain('storage phase: files');
      const now = readDirValues(config, LEGACY_KEY);
      const orig = readDirValues(FIXTURE_DIR, LEGACY_KEY);
      delete orig['monitor.json'];
      Object.assign((orig['users.json'] as Record<string, Record<string, unknown>>).user_1733000500000_q8w7e6r5t!, {
        passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
        updatedAt: '2025-01-01T00:00:00.000Z',
      });
      expect(now).toEqual(orig);
      expect(readFileSync(join(config, 'users.json'), 'utf8').endsWith('}')).toBe(true);
    });

    it('serve imports a legacy dir on first start into an empty database, then runs in dual-read-db', async () => {
      m = await migrationEnv(engine);
      cpSync(FIXTURE_DIR, join(m.dir, 'config'), { recursive: true });
      const config = loadConfig(m.env, m.dir);
      const { db } = await prepareDatabase(config);
      try {
        const lines: string[] = [];
        await runStartupHooks(config, db, (l) => lines.push(l));
        expect(lines[0]).toMatch(/first start: legacy MediaOS files found in .* importing them/);
        expect(lines.join('\n')).toContain('the database now equals the legacy files');
        expect(lines.join('\n')).toMatch(/backup of the legacy directory: .*config-auto-import-/);
        expect(lines[lines.length - 1]).toMatch(/^storage phase: dual-read-db/);
        expect((await readPhase(db, config)).recorded).toBe('dual-read-db');
        expect(await createImportSql(db.kysely, db.engine).countRows('library_items')).toBe(9);
        const again: string[] = [];
        await runStartupHooks(config, db, (l) => again.push(l));
        expect(again).toEqual([]);
      } finally {
        await db.close();
      }
    });

    it('does not auto-import when MEDIAOS_AUTO_IMPORT=false', async () => {
      m = await migrationEnv(engine, { MEDIAOS_AUTO_IMPORT: 'false' });
      cpSync(FIXTURE_DIR, join(m.dir, 'config'), { recursive: true });
      const config = loadConfig(m.env, m.dir);
      const { db } = await prepareDatabase(config);
      try {
        const lines: string[] = [];
        await runStartupHooks(config, db, (l) => lines.push(l));
        expect(lines).toEqual([]);
        expect(await createImportSql(db.kysely, db.engine).countRows('users')).toBe(0);
      } finally {
        await db.close();
      }
    });
  });
}
