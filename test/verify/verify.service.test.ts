import { afterEach, describe, expect, it } from 'vitest';
import { type JobRecord, PermanentJobError } from '../../src/jobs/jobs.types.js';
import { createVerifyService } from '../../src/verify/verify.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const job = (attempts: number, maxAttempts = 3) => ({ job: { attempts, maxAttempts } as JobRecord, signal: new AbortController().signal });

describe('verify service (job bookkeeping)', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  function service(overrides: Partial<Parameters<typeof createVerifyService>[0]> = {}) {
    const s = t!.ctx.stores;
    return createVerifyService({
      verify: s.verify,
      verifyJobs: s.verifyJobs,
      settings: s.settings,
      queue: s.jobs,
      now: () => new Date('2025-05-05T00:00:00.000Z'),
      ...overrides,
    });
  }

  it('puts a job back to queued while retries remain, fails it on the last attempt', async () => {
    t = await createTestApp();
    const svc = service({
      probe: async () => {
        throw new Error('disk unplugged');
      },
    });
    // the app's own worker must not take these jobs: insert the verify job rows only
    await t.ctx.stores.verifyJobs.insert({
      id: 'v1',
      status: 'queued',
      input: { phase: 'all', kind: 'movie', id: 'a', title: 'A' },
      enqueuedAt: '2025-05-05T00:00:00.000Z',
    });
    await expect(svc.runJob({ verifyJobId: 'v1' }, job(1))).rejects.toThrow('disk unplugged');
    expect(await svc.job('v1')).toMatchObject({ status: 'queued', error: 'disk unplugged' });
    await expect(svc.runJob({ verifyJobId: 'v1' }, job(3))).rejects.toThrow('disk unplugged');
    expect(await svc.job('v1')).toMatchObject({ status: 'failed', error: 'disk unplugged', finishedAt: '2025-05-05T00:00:00.000Z' });
    await expect(svc.runJob({ verifyJobId: 'missing' }, job(1))).rejects.toBeInstanceOf(PermanentJobError);
    await expect(svc.runJob(null, job(1))).rejects.toBeInstanceOf(PermanentJobError);
    await expect(svc.job('missing')).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });

  it('marks the verify job failed when it cannot be queued', async () => {
    t = await createTestApp();
    const svc = service({
      queue: {
        enqueue: async () => {
          throw new Error('queue down');
        },
      },
    });
    await expect(svc.enqueue({ kind: 'movie', id: 'b', title: 'B', phase: 'all' }, { role: 'user' })).rejects.toThrow('queue down');
    const row = await t.ctx.db.kysely.selectFrom('verify_jobs').select(['id', 'status', 'error']).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'failed', error: 'could not be queued' });
  });
});
