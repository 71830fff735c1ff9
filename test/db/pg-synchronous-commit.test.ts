import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseTarget, loadConfig } from '../../src/config.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';

// MEDIAOS_PG_SYNCHRONOUS_COMMIT sets synchronous_commit on every pool connection (a commit that
// does not wait for its WAL flush: the paged wanted write's 3 ms at 1M were that flush); unset,
// the database server's own setting applies.
describe('MEDIAOS_PG_SYNCHRONOUS_COMMIT', () => {
  it('is read as the target’s setting, unset or empty leaves the server’s own, and a wrong value names the variable', () => {
    const pg = { DATABASE_URL: 'postgres://x@127.0.0.1/y' };
    expect(databaseTarget(loadConfig({ ...pg, MEDIAOS_PG_SYNCHRONOUS_COMMIT: 'off' })).pgSynchronousCommit).toBe('off');
    expect(databaseTarget(loadConfig({ ...pg, MEDIAOS_PG_SYNCHRONOUS_COMMIT: 'remote_apply' })).pgSynchronousCommit).toBe('remote_apply');
    expect(databaseTarget(loadConfig(pg)).pgSynchronousCommit).toBeUndefined();
    expect(databaseTarget(loadConfig({ ...pg, MEDIAOS_PG_SYNCHRONOUS_COMMIT: '' })).pgSynchronousCommit).toBeUndefined();
    expect(() => loadConfig({ ...pg, MEDIAOS_PG_SYNCHRONOUS_COMMIT: 'off; drop table x' })).toThrow(
      /MEDIAOS_PG_SYNCHRONOUS_COMMIT must be one of on, off, local, remote_write, remote_apply/,
    );
  });

  describe.runIf(sqlEngines().includes('postgres'))('on PostgreSQL connections', () => {
    let t: TestDatabase | undefined;
    afterEach(async () => {
      await t?.cleanup();
      t = undefined;
    });

    async function setting(opts: { pgSynchronousCommit?: 'off' }): Promise<{ commit: string; path: string }> {
      await t?.cleanup();
      t = await createTestDatabase('postgres', { migrate: false, target: { pgPoolMax: 2, ...opts } });
      const db = t.db;
      // two connections at once: every connection of the pool starts with the setting
      const [a, b] = await Promise.all(
        [0, 1].map(
          async () =>
            (
              await sql<{
                commit: string;
                path: string;
              }>`select current_setting('synchronous_commit') as commit, current_setting('search_path') as path, pg_sleep(0.05)`.execute(db.kysely)
            ).rows[0],
        ),
      );
      expect(b).toEqual(a);
      return { commit: a.commit, path: a.path };
    }

    it('sets synchronous_commit on each pool connection and keeps the schema on the search path', async () => {
      const server = (await setting({})).commit;
      const off = await setting({ pgSynchronousCommit: 'off' });
      expect(off.commit).toBe('off');
      expect(server).not.toBe('off'); // the server's default here: so the setting is what changed it
      expect(off.path).toMatch(/^t_[0-9a-f]{12}$/);
    });
  });
});
