import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/system/audit.types.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import { sqlEngines } from '../helpers/engines.js';

const LATER = new Date(Date.now() + 7 * 86_400_000);

for (const engine of sqlEngines()) {
  describe(`/api/system/jobs on ${engine}`, () => {
    let t: TestApp;
    afterEach(async () => t?.close());

    it('answers admins only: 401 without a token, 403 for a user', async () => {
      t = await createTestApp({ engine });
      const admin = await registerAdmin(t.app);
      const user = await registerUser(t.app, admin.accessToken);
      const id = await t.ctx.stores.jobs.enqueue('no-such-handler', {}, { runAt: LATER });
      for (const [method, url] of [
        ['GET', '/api/system/jobs'],
        ['GET', `/api/system/jobs/${id}`],
        ['POST', `/api/system/jobs/${id}/retry`],
        ['POST', `/api/system/jobs/${id}/cancel`],
      ] as const) {
        expect((await t.app.inject({ method, url })).statusCode, url).toBe(401);
        expect((await t.app.inject({ method, url, headers: bearer(user.accessToken) })).statusCode, url).toBe(403);
      }
      expect((await t.ctx.stores.jobs.get(id))?.status).toBe('queued');
    });

    it('lists by status, cancels a queued job, retries the failed one; both audited, secrets in payloads redacted', async () => {
      t = await createTestApp({ engine });
      const admin = await registerAdmin(t.app);
      const h = bearer(admin.accessToken);
      const id = await t.ctx.stores.jobs.enqueue('no-such-handler', { path: '/srv/x', password: 'hunter2-secret' }, { runAt: LATER });

      const queued = await t.app.inject({ method: 'GET', url: '/api/system/jobs?status=queued', headers: h });
      expect(queued.statusCode).toBe(200);
      const listed = (queued.json().jobs as { id: string; status: string; payload: Record<string, unknown> }[]).find((j) => j.id === id);
      expect(listed).toMatchObject({ status: 'queued', payload: { path: '/srv/x', password: '[redacted]' } });
      expect(queued.body).not.toContain('hunter2-secret');

      // a queued job cannot be retried: 409 naming the job, nothing changed
      const early = await t.app.inject({ method: 'POST', url: `/api/system/jobs/${id}/retry`, headers: h });
      expect(early.statusCode).toBe(409);
      expect(early.json().error).toBe(`job ${id} is queued; only a failed job can be retried`);
      expect((await t.ctx.stores.jobs.get(id))?.status).toBe('queued');

      const cancelled = await t.app.inject({ method: 'POST', url: `/api/system/jobs/${id}/cancel`, headers: h });
      expect(cancelled.statusCode).toBe(200);
      expect(cancelled.json().job).toMatchObject({ id, status: 'failed', error: 'cancelled by an operator' });
      const failed = await t.app.inject({ method: 'GET', url: '/api/system/jobs?status=failed', headers: h });
      expect((failed.json().jobs as { id: string }[]).map((j) => j.id)).toContain(id);
      const again = await t.app.inject({ method: 'POST', url: `/api/system/jobs/${id}/cancel`, headers: h });
      expect(again.statusCode).toBe(409);

      const retried = await t.app.inject({ method: 'POST', url: `/api/system/jobs/${id}/retry`, headers: h });
      expect(retried.statusCode).toBe(200);
      expect(retried.json().job).toMatchObject({ id, status: 'queued', attempts: 0 });

      const audit = await t.app.inject({ method: 'GET', url: '/api/system/audit?entity=job', headers: h });
      const items = (audit.json() as { items: AuditEntry[] }).items.reverse();
      expect(items.map((e) => [e.actor, e.entityId, e.action])).toEqual([
        [admin.user.id, id, 'cancel'],
        [admin.user.id, id, 'retry'],
      ]);
      expect(items[0].before).toMatchObject({ status: 'queued' });
      expect(items[0].after).toMatchObject({ status: 'failed', error: 'cancelled by an operator' });
      expect(JSON.stringify(items)).not.toContain('hunter2-secret');
    });

    it('refuses bad input with the field named, and an unknown job with 404', async () => {
      t = await createTestApp({ engine });
      const admin = await registerAdmin(t.app);
      const h = bearer(admin.accessToken);
      const bad = await t.app.inject({ method: 'GET', url: '/api/system/jobs?status=done', headers: h });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toMatch(/^status: status must be one of queued, running, completed, failed/);
      const limit = await t.app.inject({ method: 'GET', url: '/api/system/jobs?limit=0', headers: h });
      expect(limit.statusCode).toBe(400);
      expect(limit.json().error).toMatch(/^limit: /);
      for (const action of ['retry', 'cancel']) {
        const res = await t.app.inject({ method: 'POST', url: `/api/system/jobs/nope/${action}`, headers: h });
        expect(res.statusCode).toBe(404);
        expect(res.json().error).toBe('no job with id "nope"');
      }
      expect((await t.app.inject({ method: 'GET', url: '/api/system/jobs/nope', headers: h })).statusCode).toBe(404);
    });
  });
}
