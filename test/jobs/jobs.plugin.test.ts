import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { jobsPlugin } from '../../src/jobs/jobs.plugin.js';
import { createJobsSql } from '../../src/jobs/jobs.sql.js';
import type { JobWorker } from '../../src/jobs/jobs.worker.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { sqlEngines } from '../helpers/engines.js';

for (const engine of sqlEngines()) {
  describe(`jobs plugin (${engine})`, () => {
    let t: TestApp | undefined;
    afterEach(async () => {
      await t?.close();
      t = undefined;
    });

    it('on boot re-queues a verify job a dead process left running, runs it, and stops on close', async () => {
      t = await createTestApp({ engine, phase: 'db' });
      const now = new Date().toISOString();
      await t.ctx.stores.verifyJobs.insert({
        id: 'orphan1',
        status: 'queued',
        input: { phase: 'all', kind: 'movie', id: 'o1', title: 'Orphan 720p' },
        enqueuedAt: now,
      });
      await t.ctx.stores.jobs.enqueue('verify', { verifyJobId: 'orphan1' }, { id: 'orphan1' });
      // stop the app's own worker first, so only the "rebooted" one below can pick the job up
      await t.app.close();
      const sql = createJobsSql(t.ctx.db.kysely, engine);
      // a worker of the previous process may already have claimed it; make sure it looks orphaned
      await t.ctx.db.kysely
        .updateTable('jobs')
        .set({ status: 'running', locked_by: 'dead', locked_at: '2000-01-01T00:00:00.000Z', attempts: 1 })
        .where('id', '=', 'orphan1')
        .execute();

      const app = Fastify();
      let worker: JobWorker | undefined;
      await app.register(async (i) => {
        worker = await jobsPlugin(i, t!.ctx, { pollMs: 5 });
      });
      await app.ready();
      try {
        for (let i = 0; i < 2000 && (await sql.get('orphan1'))?.status !== 'completed'; i++) await new Promise((r) => setTimeout(r, 5));
      } finally {
        await app.close();
      }
      expect(worker).toBeDefined();
      expect(await sql.get('orphan1')).toMatchObject({ status: 'completed', attempts: 2 });
      expect(await t.ctx.stores.verifyJobs.get('orphan1')).toMatchObject({ status: 'completed', result: { topSeverity: 'warn' } });
      expect(await t.ctx.stores.verify.getResult('movie:o1')).toMatchObject({ kind: 'movie', id: 'o1', title: 'Orphan 720p', topSeverity: 'warn' });
    });
  });
}
