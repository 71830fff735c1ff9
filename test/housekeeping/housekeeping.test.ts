import { afterEach, describe, expect, it } from 'vitest';
import { housekeepingJobId, runHousekeeping, scheduleHousekeeping } from '../../src/housekeeping/housekeeping.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { sqlEngines } from '../helpers/engines.js';

for (const engine of sqlEngines()) {
  describe(`housekeeping on ${engine}`, () => {
    let t: TestApp;
    afterEach(async () => t?.close());

    it('drops expired sessions, keeps live ones, and is scheduled once a day', async () => {
      t = await createTestApp({ engine });
      // the app scheduled today's run when it became ready: let it finish first
      const jobId = housekeepingJobId(t.ctx.now());
      for (let i = 0; i < 200 && (await t.ctx.stores.jobs.get(jobId))?.status !== 'completed'; i++) await new Promise((r) => setTimeout(r, 25));
      expect((await t.ctx.stores.jobs.get(jobId))?.status).toBe('completed');
      const sessions = t.ctx.stores.sessions;
      const base = { userId: 'u1', tokenHash: 'h', createdAt: '2020-01-01T00:00:00.000Z' };
      await sessions.create({ ...base, id: 'old', expiresAt: '2020-01-02T00:00:00.000Z' });
      await sessions.create({ ...base, id: 'live', expiresAt: '2999-01-01T00:00:00.000Z' });
      const report = await runHousekeeping(t.ctx);
      expect(report.expiredSessions).toBe(1);
      expect(await sessions.get('old')).toBeUndefined();
      expect(await sessions.get('live')).toBeDefined();
      // a second schedule the same day is a no-op
      expect(await scheduleHousekeeping(t.ctx)).toBe(false);
    });
  });
}
