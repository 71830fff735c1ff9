import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import { phaseMatrix } from '../helpers/matrix.js';

function legacyFile(t: TestApp, name: string): unknown {
  const p = join(t.configDir, name);
  return existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) : undefined;
}

async function waitForJob(t: TestApp, token: string, id: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 2000; i++) {
    const res = await t.app.inject({ method: 'GET', url: `/api/verify/jobs/${id}`, headers: bearer(token) });
    const job = res.json().job as Record<string, unknown>;
    if (job.status === 'completed' || job.status === 'failed') return job;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('verify job did not finish');
}

for (const [engine, phase] of phaseMatrix()) {
  describe(`verify routes (${engine}, ${phase})`, () => {
    let t: TestApp | undefined;
    afterEach(async () => {
      await t?.close();
      t = undefined;
    });
    const filesWritten = phase !== 'db';

    it('needs a token; check runs the legacy rules and stores the last result', async () => {
      t = await createTestApp({ engine, phase });
      const admin = await registerAdmin(t.app);
      const user = await registerUser(t.app, admin.accessToken);
      const h = bearer(user.accessToken);
      expect((await t.app.inject({ method: 'POST', url: '/api/verify/check', payload: { kind: 'movie', id: 'x' } })).statusCode).toBe(401);

      const missing = await t.app.inject({ method: 'POST', url: '/api/verify/check', payload: { kind: 'movie' }, headers: h });
      expect(missing.statusCode).toBe(400);
      expect(missing.json()).toEqual({ ok: false, error: 'missing_params', message: 'id is required (missing or empty)' });

      const res = await t.app.inject({
        method: 'POST',
        url: '/api/verify/check',
        payload: { kind: 'movie', id: 'm1', title: 'Heat.1995.720p.SAMPLE' },
        headers: h,
      });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.ok).toBe(true);
      expect(body.result).toEqual({
        phase: 'all',
        issues: [
          { kind: 'wrong_content', severity: 'error', message: 'Title contains "sample"' },
          { kind: 'short_duration', severity: 'warn', message: 'Duration 45s < 60s' },
          { kind: 'encoding_low_bitrate', severity: 'warn', message: '900kbps < 1500kbps for 720p' },
        ],
        analyzedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        topSeverity: 'error',
      });
      const stored = { ...body.result, kind: 'movie', id: 'm1', title: 'Heat.1995.720p.SAMPLE' };
      const last = await t.app.inject({ method: 'GET', url: '/api/verify/last?kind=movie&id=m1', headers: h });
      expect(last.json()).toEqual({ ok: true, result: stored });
      expect(Object.keys(last.json().result)).toEqual(['phase', 'issues', 'analyzedAt', 'topSeverity', 'kind', 'id', 'title']);
      expect((await t.app.inject({ method: 'GET', url: '/api/verify/last?kind=movie&id=none', headers: h })).json()).toEqual({ ok: true, result: null });
      expect((await t.app.inject({ method: 'GET', url: '/api/verify/last?kind=movie', headers: h })).statusCode).toBe(400);
      expect(legacyFile(t, 'verify-results.json')).toEqual(filesWritten ? { 'movie:m1': stored } : undefined);
    });

    it('runs verify jobs through the database queue and keeps them', async () => {
      t = await createTestApp({ engine, phase });
      const admin = await registerAdmin(t.app);
      const h = bearer(admin.accessToken);
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/verify/jobs',
        payload: { kind: 'movies', id: 'j1', title: 'Clip 1080p', phase: 'player' },
        headers: h,
      });
      expect(res.statusCode).toBe(200);
      const { ok, jobId } = res.json();
      expect(ok).toBe(true);
      expect(jobId).toMatch(/^[0-9a-f]{32}$/);
      const job = await waitForJob(t, admin.accessToken, jobId);
      expect(job).toEqual({
        id: jobId,
        status: 'completed',
        input: { phase: 'player', kind: 'movies', id: 'j1', title: 'Clip 1080p' },
        enqueuedAt: expect.any(String),
        result: {
          phase: 'player',
          issues: [
            { kind: 'short_duration', severity: 'warn', message: 'Duration 45s < 60s' },
            { kind: 'encoding_low_bitrate', severity: 'warn', message: '1800kbps < 2500kbps for 1080p' },
          ],
          analyzedAt: expect.any(String),
          topSeverity: 'warn',
        },
        finishedAt: expect.any(String),
      });
      // the queue marks its own job completed just after the handler finished the verify job
      let queued = await t.ctx.stores.jobs.get(jobId);
      for (let i = 0; i < 2000 && queued?.status === 'running'; i++) {
        await new Promise((r) => setTimeout(r, 10));
        queued = await t.ctx.stores.jobs.get(jobId);
      }
      expect(queued).toMatchObject({ type: 'verify', status: 'completed', attempts: 1 });
      const last = (await t.app.inject({ method: 'GET', url: '/api/verify/last?kind=movies&id=j1', headers: h })).json().result;
      expect(last).toEqual({ ...(job.result as object), kind: 'movies', id: 'j1', title: 'Clip 1080p' });
      if (filesWritten) expect(legacyFile(t, 'verify-results.json')).toEqual({ 'movies:j1': last });

      // a real path: no stub numbers; a missing file is reported as such
      const withPath = await t.app.inject({
        method: 'POST',
        url: '/api/verify/jobs',
        payload: { kind: 'movie', id: 'p1', title: 'Whatever 720p', path: join(t.dir, 'missing.mkv') },
        headers: h,
      });
      const pjob = await waitForJob(t, admin.accessToken, withPath.json().jobId);
      expect(pjob.status).toBe('completed');
      expect((pjob.input as Record<string, unknown>).path).toBe(join(t.dir, 'missing.mkv'));
      expect((pjob.result as { issues: unknown[] }).issues).toEqual([{ kind: 'file_not_found', severity: 'error', message: 'File not found' }]);
      const plast = (await t.app.inject({ method: 'GET', url: '/api/verify/last?kind=movie&id=p1', headers: h })).json().result;
      expect(plast.path).toBe(join(t.dir, 'missing.mkv'));

      const unknown = await t.app.inject({ method: 'GET', url: '/api/verify/jobs/nope', headers: h });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toEqual({ ok: false, error: 'not_found' });
      expect((await t.app.inject({ method: 'POST', url: '/api/verify/jobs', payload: { id: 'x' }, headers: h })).json()).toEqual({
        ok: false,
        error: 'missing_params',
        message: 'kind is required (missing or empty)',
      });
    });

    it('a path outside the media folders is 403 for a user, whether it exists or not; admins may name any path', async () => {
      t = await createTestApp({ engine, phase });
      const admin = await registerAdmin(t.app);
      const user = await registerUser(t.app, admin.accessToken);
      const root = join(t.dir, 'media', 'Movies');
      mkdirSync(root, { recursive: true });
      writeFileSync(join(t.dir, 'media', 'private.txt'), 'secret');
      symlinkSync(join(t.dir, 'media', 'private.txt'), join(root, 'link.mkv'));
      const setup = await t.app.inject({
        method: 'POST',
        url: '/api/onboarding/setup',
        payload: { folders: [{ path: root, type: 'movies' }] },
        headers: bearer(admin.accessToken),
      });
      expect(setup.statusCode).toBe(200);
      const check = (token: string, path: string) =>
        t!.app.inject({ method: 'POST', url: '/api/verify/check', payload: { kind: 'movie', id: 'm1', title: 'x', path }, headers: bearer(token) });
      const refused = { ok: false, error: 'path_not_allowed', message: expect.stringContaining('mediaFolders') };
      for (const path of [
        '/etc/shadow',
        '/etc/nothere',
        join(root, '..', 'private.txt'),
        join(root, '..', 'nothere.txt'),
        join(root, 'link.mkv'),
        'relative.mkv',
      ]) {
        const res = await check(user.accessToken, path);
        expect(res.statusCode, path).toBe(403);
        expect(res.json(), path).toEqual(refused);
      }
      const jobs = await t.app.inject({
        method: 'POST',
        url: '/api/verify/jobs',
        payload: { kind: 'movie', id: 'm1', path: '/etc/passwd' },
        headers: bearer(user.accessToken),
      });
      expect(jobs.statusCode).toBe(403);
      expect(jobs.json()).toEqual(refused);
      // inside the root: answered normally (here: the file is missing)
      const inside = await check(user.accessToken, join(root, 'missing.mkv'));
      expect(inside.statusCode).toBe(200);
      expect(inside.json().result.issues).toEqual([{ kind: 'file_not_found', severity: 'error', message: 'File not found' }]);
      // an admin may verify any path
      const adminCheck = await check(admin.accessToken, join(t.dir, 'nothere.mkv'));
      expect(adminCheck.statusCode).toBe(200);
      expect(adminCheck.json().result.issues).toEqual([{ kind: 'file_not_found', severity: 'error', message: 'File not found' }]);
    });

    it('verify settings: users read, admins replace the whole document, checks use it', async () => {
      t = await createTestApp({ engine, phase });
      const admin = await registerAdmin(t.app);
      const user = await registerUser(t.app, admin.accessToken);
      expect((await t.app.inject({ method: 'GET', url: '/api/settings/verify' })).statusCode).toBe(401);
      expect((await t.app.inject({ method: 'GET', url: '/api/settings/verify', headers: bearer(user.accessToken) })).json()).toEqual({
        ok: true,
        settings: {},
      });
      const settings = { minDurationSec: 30, minBitrateKbpsByHeight: { '480': 600 }, allowedContainers: ['mkv'], uiOnly: { x: 1 } };
      const denied = await t.app.inject({ method: 'POST', url: '/api/settings/verify', payload: settings, headers: bearer(user.accessToken) });
      expect(denied.statusCode).toBe(403);
      const saved = await t.app.inject({ method: 'POST', url: '/api/settings/verify', payload: settings, headers: bearer(admin.accessToken) });
      expect(saved.json()).toEqual({ ok: true, settings });
      expect((await t.app.inject({ method: 'GET', url: '/api/settings/verify', headers: bearer(user.accessToken) })).json()).toEqual({ ok: true, settings });
      expect(legacyFile(t, 'verify.json')).toEqual(filesWritten ? settings : undefined);
      const check = await t.app.inject({
        method: 'POST',
        url: '/api/verify/check',
        payload: { kind: 'movie', id: 'z', title: 'Old Movie' },
        headers: bearer(user.accessToken),
      });
      // 45 s >= 30 s: no short_duration; 600 kbps at 480p meets 600: no bitrate issue
      expect(check.json().result.issues).toEqual([]);
      expect(check.json().result.topSeverity).toBe('none');
      const replaced = await t.app.inject({ method: 'POST', url: '/api/settings/verify', payload: { minDurationSec: 90 }, headers: bearer(admin.accessToken) });
      expect(replaced.json()).toEqual({ ok: true, settings: { minDurationSec: 90 } });
      const bad = await t.app.inject({ method: 'POST', url: '/api/settings/verify', payload: [1, 2], headers: bearer(admin.accessToken) });
      expect(bad.statusCode).toBe(400);
    });
  });
}
