import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocksSql, describeHolder, holderIsDead, LockBusyError } from '../../src/db/locks.sql.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';

for (const engine of sqlEngines()) {
  describe(`locks (${engine})`, () => {
    let t: TestDatabase | undefined;
    afterEach(async () => {
      await t?.cleanup();
      t = undefined;
    });

    it('one holder at a time; the second waits up to the bound and names the holder', async () => {
      t = await createTestDatabase(engine);
      const locks = createLocksSql(t.db.kysely);
      const first = await locks.acquire('maintenance', 'import pid 1 on otherhost');
      let waited = '';
      const err = await locks
        .acquire('maintenance', 'import pid 2 on otherhost', { waitMs: 200, pollMs: 20, onWait: (h) => (waited = h) })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LockBusyError);
      expect((err as Error).message).toMatch(/another maintenance task is running: import pid 1 on otherhost \(since \d{4}-/);
      expect(waited).toBe('import pid 1 on otherhost');
      expect((await locks.current('maintenance'))?.holder).toBe('import pid 1 on otherhost');
      // released while the second waits: it gets the lock
      const second = locks.acquire('maintenance', 'import pid 2 on otherhost', { waitMs: 5000, pollMs: 20 });
      await first.release();
      const held = await second;
      expect((await locks.current('maintenance'))?.holder).toBe('import pid 2 on otherhost');
      await held.release();
      expect(await locks.current('maintenance')).toBeUndefined();
    });

    it('takes over a stale lock (old heartbeat, or a dead process on this host)', async () => {
      t = await createTestDatabase(engine);
      const locks = createLocksSql(t.db.kysely);
      await sql`insert into locks (name, holder, acquired_at, heartbeat_at) values ('a', 'import pid 1 on far', '2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z')`.execute(
        t.db.kysely,
      );
      const a = await locks.acquire('a', describeHolder('import'), { waitMs: 0 });
      expect((await locks.current('a'))?.holder).toBe(describeHolder('import'));
      const dead = describeHolder('import').replace(/pid \d+/, 'pid 2147483646');
      expect(holderIsDead(dead)).toBe(true);
      expect(holderIsDead(describeHolder('import'))).toBe(false);
      const now = new Date().toISOString();
      await sql`insert into locks (name, holder, acquired_at, heartbeat_at) values ('b', ${dead}, ${now}, ${now})`.execute(t.db.kysely);
      const b = await locks.acquire('b', 'me pid 5 on x', { waitMs: 0 });
      await b.heartbeat();
      expect((await locks.current('b'))?.holder).toBe('me pid 5 on x');
      await a.release();
      await b.release();
    });
  });
}

describe('withMaintenanceLock', () => {
  it('runs the work under the lock, refuses while another holder has it, and tolerates a dropped table', async () => {
    const { createTestDatabase } = await import('../helpers/engines.js');
    const { withMaintenanceLock, createLocksSql, MAINTENANCE_LOCK, LockBusyError } = await import('../../src/db/locks.sql.js');
    const { migrateTo } = await import('../../src/db/migrator.js');
    const t = await createTestDatabase('sqlite');
    try {
      const seen = await withMaintenanceLock(t.db.kysely, true, 'migrate', async () =>
        (await t.db.kysely.selectFrom('locks').select('holder').execute()).map((r) => r.holder),
      );
      expect(seen).toEqual([expect.stringMatching(/^migrate pid \d+/)]);
      expect(await t.db.kysely.selectFrom('locks').select('name').execute()).toEqual([]);

      const other = await createLocksSql(t.db.kysely).acquire(MAINTENANCE_LOCK, `import pid ${process.pid} on elsewhere`);
      await expect(withMaintenanceLock(t.db.kysely, true, 'migrate', async () => 'ran', { waitMs: 100, pollMs: 20 })).rejects.toBeInstanceOf(LockBusyError);
      await other.release();

      // a migration to 0 drops the locks table while holding the lock
      await expect(withMaintenanceLock(t.db.kysely, true, 'migrate', () => migrateTo(t.db, 0))).resolves.toMatchObject({ results: expect.any(Array) });
      expect(await withMaintenanceLock(t.db.kysely, false, 'migrate', async () => 'no table, no lock')).toBe('no table, no lock');
    } finally {
      await t.cleanup();
    }
  });
});
