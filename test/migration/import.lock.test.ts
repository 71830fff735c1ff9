import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocksSql, MAINTENANCE_LOCK } from '../../src/db/locks.sql.js';
import { sqlEngines } from '../helpers/engines.js';
import { copyFixture, type MigrationEnv, migrationEnv, readDirBytes, tableImage, withDb } from './helpers.js';

const insertLock = (m: MigrationEnv, holder: string, at: string) =>
  withDb(m, (db) => sql`insert into locks (name, holder, acquired_at, heartbeat_at) values (${MAINTENANCE_LOCK}, ${holder}, ${at}, ${at})`.execute(db.kysely));
const currentLock = (m: MigrationEnv) => withDb(m, (db) => createLocksSql(db.kysely).current(MAINTENANCE_LOCK));

for (const engine of sqlEngines()) {
  describe(`import lock and backups of refused runs (${engine})`, () => {
    let m: MigrationEnv | undefined;
    afterEach(async () => {
      await m?.cleanup();
      m = undefined;
    });

    async function populated(): Promise<{ m: MigrationEnv; src: string }> {
      m = await migrationEnv(engine);
      const src = copyFixture(join(m.dir, 'legacy'));
      expect((await m.cli('import', '--from', src)).code).toBe(0);
      return { m, src };
    }

    it('checks the lock before backing up, says when it expires and how to clear it; --force-unlock leaves a live one', async () => {
      const { m, src } = await populated();
      const backups = readDirBytes(join(m.dir, 'backups'));
      const before = await withDb(m, tableImage);
      const at = new Date().toISOString();
      await insertLock(m, 'import pid 4242 on nas-elsewhere', at);
      const expires = new Date(Date.parse(at) + 5 * 60_000).toISOString();

      const run = await m.cli('import', '--from', src, '--lock-wait', '0');
      expect(run.code).toBe(2);
      expect(run.err).toContain(`another maintenance task is running: import pid 4242 on nas-elsewhere (since ${at}, last heartbeat ${at})`);
      expect(run.err).toContain(`the lock expires at ${expires}; \`mediaos import --force-unlock\` clears it then`);
      expect(readDirBytes(join(m.dir, 'backups'))).toEqual(backups); // no backup for a refused run

      const forced = await m.cli('import', '--from', src, '--force-unlock', '--lock-wait', '0');
      expect(forced.code).toBe(2);
      expect(forced.err).toContain('--force-unlock: left the lock of import pid 4242 on nas-elsewhere');
      expect(forced.err).toContain(`may still run on nas-elsewhere (last heartbeat ${at}); it expires at ${expires}`);
      expect((await currentLock(m))?.holder).toBe('import pid 4242 on nas-elsewhere');

      // a holder on this host that still runs (this process) is left too
      await withDb(m, (db) => sql`delete from locks`.execute(db.kysely));
      await insertLock(m, `import pid ${process.pid} on ${hostname()}`, at);
      const alive = await m.cli('import', '--from', src, '--force-unlock');
      expect(alive.err).toContain(`still runs on this host`);
      expect(alive.code).toBe(2);
      expect(await withDb(m, tableImage)).toEqual(before);
      expect(readDirBytes(join(m.dir, 'backups'))).toEqual(backups);
    });

    it('--force-unlock clears an expired lock or one whose holder on this host is dead, and says so', async () => {
      const { m, src } = await populated();
      await insertLock(m, 'import pid 4242 on nas-elsewhere', '2020-01-01T00:00:00.000Z');
      const run = await m.cli('import', '--from', src, '--force-unlock');
      expect(run.out).toContain(
        '--force-unlock: cleared the lock of import pid 4242 on nas-elsewhere (since 2020-01-01T00:00:00.000Z): its last heartbeat (2020-01-01T00:00:00.000Z) is older than 300 s',
      );
      expect(run.code).toBe(0);

      await insertLock(m, `import pid 2147483646 on ${hostname()}`, new Date().toISOString());
      const dead = await m.cli('import', '--from', src, '--force-unlock');
      expect(dead.out).toContain('its holder was a process on this host that no longer runs');
      expect(dead.code).toBe(0);
      expect(await currentLock(m)).toBeUndefined();
      expect((await m.cli('import', '--from', src, '--force-unlock')).out).toContain('--force-unlock: no maintenance lock is held');
    });

    it('a failed or refused import removes its own backups; older backups stay', async () => {
      const { m, src } = await populated();
      const backups = readDirBytes(join(m.dir, 'backups'));
      expect(Object.keys(backups).some((f) => f.startsWith('config-import-'))).toBe(true);
      // refused after the backup: it would remove users
      writeFileSync(join(src, 'users.json'), '{}');
      const refused = await m.cli('import', '--from', src);
      expect(refused.code).toBe(2);
      expect(readDirBytes(join(m.dir, 'backups'))).toEqual(backups);
      // failed while reading: a broken file
      const wanted = readFileSync(join(copyFixture(join(m.dir, 'again')), 'wanted.json'), 'utf8');
      writeFileSync(join(m.dir, 'again', 'wanted.json'), wanted.slice(0, 30));
      for (let i = 0; i < 3; i++) expect((await m.cli('import', '--from', join(m.dir, 'again'))).code).toBe(2);
      expect(readDirBytes(join(m.dir, 'backups'))).toEqual(backups);
    });
  });
}
