import { afterEach, describe, expect, it } from 'vitest';
import { createJobQueue } from '../../src/jobs/jobs.queue.js';
import { createJobsSql } from '../../src/jobs/jobs.sql.js';
import { sqlEngines } from '../helpers/engines.js';
import { type MigrationEnv, migrationEnv } from '../migration/helpers.js';

for (const engine of sqlEngines()) {
  describe(`mediaos jobs (${engine})`, () => {
    let m: MigrationEnv | undefined;
    afterEach(async () => {
      await m?.cleanup();
      m = undefined;
    });

    it('lists jobs, retries a failed one, cancels a queued one, and refuses the rest naming why', async () => {
      m = await migrationEnv(engine);
      expect((await m.cli('migrate')).code).toBe(0);
      const db = m.open();
      try {
        const sql = createJobsSql(db.kysely, engine);
        const queue = createJobQueue({ sql });
        const dead = await queue.enqueue('work', { n: 1 }, { maxAttempts: 1 });
        await sql.claim('w1', new Date().toISOString());
        await sql.fail(dead, 'w1', 'disk full', new Date().toISOString());
        const waiting = await queue.enqueue('work', { n: 2 });

        const list = await m.cli('jobs', 'list');
        expect(list.code).toBe(0);
        expect(list.out).toContain(`${dead}  work  failed  attempts 1/1`);
        expect(list.out).toContain('error: disk full');
        expect(list.out).toContain(`${waiting}  work  queued  attempts 0/3`);
        const failedOnly = await m.cli('jobs', 'list', '--status', 'failed', '--json');
        expect(failedOnly.out.split('\n').map((l) => JSON.parse(l).id)).toEqual([dead]);

        const retry = await m.cli('jobs', 'retry', dead);
        expect(retry.code).toBe(0);
        expect(await sql.get(dead)).toMatchObject({ status: 'queued', attempts: 0 });

        const cancel = await m.cli('jobs', 'cancel', waiting);
        expect(cancel.code).toBe(0);
        expect(await sql.get(waiting)).toMatchObject({ status: 'failed', error: 'cancelled by an operator' });

        // refused: nothing changes
        const again = await m.cli('jobs', 'cancel', waiting);
        expect(again.code).toBe(1);
        expect(again.err).toContain(`job ${waiting} is failed; only a queued or running job can be cancelled`);
        const notDead = await m.cli('jobs', 'retry', dead);
        expect(notDead.code).toBe(1);
        expect(notDead.err).toContain('only a failed job can be retried');
        const unknown = await m.cli('jobs', 'retry', 'nope');
        expect(unknown.err).toContain('no job with id "nope"');
        const badStatus = await m.cli('jobs', 'list', '--status', 'dead');
        expect(badStatus.code).toBe(1);
        expect(badStatus.err).toContain('status: "dead" is not one of queued, running, completed, failed');
        expect(await sql.countByStatus()).toEqual({ queued: 1, running: 0, completed: 0, failed: 1 });
      } finally {
        await db.close();
      }
    });
  });
}
