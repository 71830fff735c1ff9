import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseTarget, loadConfig } from '../../src/config.js';
import { type Database, openDatabase } from '../../src/db/connect.js';
import { createTestTarget, sqlEngines } from '../helpers/engines.js';

// MEDIAOS_PG_SYNCHRONOUS_COMMIT and MEDIAOS_PG_PARALLEL_WORKERS set synchronous_commit and
// max_parallel_workers_per_gather on every pool connection (a commit that does not wait for its WAL
// flush: the paged wanted write's 3 ms at 1M were that flush; no worker processes per statement);
// unset, the database server's own setting applies.
describe('MEDIAOS_PG_SYNCHRONOUS_COMMIT and MEDIAOS_PG_PARALLEL_WORKERS', () => {
  it('is read as the target’s setting, unset or empty leaves the server’s own, and a wrong value names the variable', () => {
    const pg = { DATABASE_URL: 'postgres://x@127.0.0.1/y' };
    expect(databaseTarget(loadConfig({ ...pg, MEDIAOS_PG_SYNCHRONOUS_COMMIT: 'off' })).pgSynchronousCommit).toBe('off');
    expect(databaseTarget(loadConfig({ ...pg, MEDIAOS_PG_SYNCHRONOUS_COMMIT: 'remote_apply' })).pgSynchronousCommit).toBe('remote_apply');
    expect(databaseTarget(loadConfig(pg)).pgSynchronousCommit).toBeUndefined();
    expect(databaseTarget(loadConfig({ ...pg, MEDIAOS_PG_SYNCHRONOUS_COMMIT: '' })).pgSynchronousCommit).toBeUndefined();
    expect(databaseTarget(loadConfig({ ...pg, MEDIAOS_PG_PARALLEL_WORKERS: '0' })).pgParallelWorkers).toBe(0);
    expect(databaseTarget(loadConfig(pg)).pgParallelWorkers).toBeUndefined();
    expect(() => loadConfig({ ...pg, MEDIAOS_PG_PARALLEL_WORKERS: '-1' })).toThrow(/MEDIAOS_PG_PARALLEL_WORKERS must be an integer from 0 to 64/);
    expect(() => loadConfig({ ...pg, MEDIAOS_PG_SYNCHRONOUS_COMMIT: 'off; drop table x' })).toThrow(
      /MEDIAOS_PG_SYNCHRONOUS_COMMIT must be one of on, off, local, remote_write, remote_apply/,
    );
  });

  describe.runIf(sqlEngines().includes('postgres'))('on PostgreSQL connections', () => {
    let db: Database | undefined;
    let drop: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await db?.close();
      await drop?.();
      db = undefined;
      drop = undefined;
    });

    async function setting(opts: { pgSynchronousCommit?: 'off'; pgParallelWorkers?: number }): Promise<{ commit: string; path: string; workers: string }> {
      const t = await createTestTarget('postgres');
      drop = t.drop;
      db = openDatabase({ ...t.target, pgPoolMax: 2, ...opts });
      // two connections at once: every connection of the pool starts with the setting
      const [a, b] = await Promise.all(
        [0, 1].map(
          async () =>
            (
              await sql<{
                commit: string;
                path: string;
                workers: string;
              }>`select current_setting('synchronous_commit') as commit, current_setting('search_path') as path,
                current_setting('max_parallel_workers_per_gather') as workers, pg_sleep(0.05)`.execute(db!.kysely)
            ).rows[0],
        ),
      );
      expect(b).toEqual(a);
      return { commit: a.commit, path: a.path, workers: a.workers };
    }

    it('sets synchronous_commit and the parallel workers on each pool connection and keeps the schema on the search path', async () => {
      const server = await setting({});
      await db?.close();
      await drop?.();
      const set = await setting({ pgSynchronousCommit: 'off', pgParallelWorkers: 0 });
      expect(set.commit).toBe('off');
      expect(set.workers).toBe('0');
      // the server's defaults here: so the settings are what changed them
      expect(server.commit).not.toBe('off');
      expect(server.workers).not.toBe('0');
      expect(set.path).toMatch(/^t_[0-9a-f]{12}$/);
    });
  });
});
