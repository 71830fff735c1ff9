import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import tarStream from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createContentChecksSql } from '../../src/verify/content.sql.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import { sqlEngines } from '../helpers/engines.js';
import { makeSample, skipWithoutFfmpeg } from './media-samples.js';

async function tarGz(path: string, entries: Record<string, string>): Promise<void> {
  const pack = tarStream.pack();
  for (const [name, body] of Object.entries(entries)) pack.entry({ name }, body);
  pack.finalize();
  const chunks: Buffer[] = [];
  const gz = pack.pipe(createGzip());
  for await (const c of gz) chunks.push(c as Buffer);
  writeFileSync(path, Buffer.concat(chunks));
}

for (const engine of sqlEngines()) {
  describe.skipIf(skipWithoutFfmpeg)(`content checks and security scan (${engine})`, () => {
    let t: TestApp | undefined;
    afterEach(async () => {
      await t?.close();
      t = undefined;
    });

    async function setup() {
      t = await createTestApp({ engine });
      const root = join(t.dir, 'media', 'movies');
      const outside = join(t.dir, 'outside');
      mkdirSync(join(root, 'Clip (2020)'), { recursive: true });
      mkdirSync(outside, { recursive: true });
      const clip = join(root, 'Clip (2020)', 'Clip.2020.mkv');
      makeSample(clip);
      writeFileSync(join(outside, 'secret.mkv'), 'secret');
      symlinkSync(join(outside, 'secret.mkv'), join(root, 'link.mkv'));
      symlinkSync(outside, join(root, 'escape'));
      await t.ctx.stores.settings.put('settings', { mediaFolders: [{ path: root, type: 'movies' }] });
      const admin = await registerAdmin(t.app);
      const user = await registerUser(t.app, admin.accessToken);
      return { root, outside, clip, h: bearer(user.accessToken), app: t.app };
    }

    it('probes a real file: streams, codecs, resolution, duration, bitrate, judged by the verify settings; stored per file', async () => {
      const { clip, h, app } = await setup();
      expect((await app.inject({ method: 'POST', url: '/api/verify/content', payload: { path: clip } })).statusCode).toBe(401);
      const res = await app.inject({ method: 'POST', url: '/api/verify/content', payload: { path: clip, expectedQuality: '1080p' }, headers: h });
      expect(res.statusCode).toBe(200);
      const r = res.json();
      expect(r).toMatchObject({
        ok: true,
        passed: false,
        metadata: { width: 320, height: 240, codec: 'h264', container: 'matroska,webm', audioTracks: 1, subtitleTracks: 0, audioCodecs: ['aac'] },
        checks: { securityCheck: 'pass', durationCheck: 'fail', qualityCheck: 'fail', bitrateCheck: 'skip', aspectRatioCheck: 'skip', corruptionCheck: 'skip' },
        securityIssues: [],
      });
      expect(r.metadata.duration).toBeGreaterThan(0.9);
      expect(r.metadata.duration).toBeLessThan(1.2);
      expect(r.metadata.bitrate).toBeGreaterThan(0);
      expect(r.metadata.aspectRatio).toBeCloseTo(1.333, 2);
      expect(r.issues.map((i: { type: string }) => i.type).sort()).toEqual(['duration_too_short', 'quality_mismatch']);

      // The verify settings are the rules: allow 0 s and demand a bitrate this file lacks.
      await t!.ctx.stores.settings.put('verify', { minDurationSec: 0, minBitrateKbpsByHeight: { '240': 100000 }, allowedContainers: ['mp4'] });
      const strict = (
        await app.inject({ method: 'POST', url: '/api/verify/content', payload: { path: clip, checkAspectRatio: true, checkCorruption: true }, headers: h })
      ).json();
      expect(strict.checks).toMatchObject({ durationCheck: 'pass', bitrateCheck: 'fail', aspectRatioCheck: 'pass', corruptionCheck: 'pass' });
      expect(strict.issues.map((i: { type: string }) => i.type).sort()).toEqual(['container_unsupported', 'low_bitrate']);
      await t!.ctx.stores.settings.put('verify', { minDurationSec: 0, allowedContainers: ['mkv'] });
      const good = (await app.inject({ method: 'POST', url: '/api/verify/content', payload: { path: clip, expectedDurationMax: 1 }, headers: h })).json();
      expect(good).toMatchObject({ ok: true, passed: true, issues: [] });
      expect((await createContentChecksSql(t!.ctx.db.kysely, t!.ctx.db.engine).get(clip))?.passed).toBe(true);

      const quick = (await app.inject({ method: 'POST', url: '/api/verify/content/quick', payload: { path: clip }, headers: h })).json();
      expect(quick).toEqual({ ok: true, passed: true, issues: [] });

      const missing = (await app.inject({ method: 'POST', url: '/api/verify/content', payload: { path: join(clip, '..', 'gone.mkv') }, headers: h })).json();
      expect(missing).toMatchObject({ ok: false, passed: false, issues: [{ type: 'file_not_found' }] });

      // A damaged copy: the decode (or the probe) fails it.
      const broken = join(clip, '..', 'Broken.mkv');
      const bytes = readFileSync(clip);
      bytes.fill(0x55, Math.floor(bytes.length / 3), Math.floor((bytes.length * 2) / 3));
      writeFileSync(broken, bytes);
      const bad = (await app.inject({ method: 'POST', url: '/api/verify/content', payload: { path: broken, checkCorruption: true }, headers: h })).json();
      expect(bad.passed).toBe(false);
      expect(bad.issues.some((i: { type: string }) => i.type === 'corruption_detected' || i.type === 'probe_failed')).toBe(true);

      const batch = (
        await app.inject({
          method: 'POST',
          url: '/api/verify/content/batch',
          payload: { paths: [clip, broken], options: { checkCorruption: true } },
          headers: h,
        })
      ).json();
      expect(batch).toMatchObject({ ok: true, allPassed: false, totalFiles: 2 });
      expect(Object.keys(batch.results)).toEqual([clip, broken]);
      const folder = (
        await app.inject({
          method: 'POST',
          url: '/api/verify/content/folder',
          payload: { path: join(clip, '..'), options: { checkCorruption: true } },
          headers: h,
        })
      ).json();
      expect(folder).toMatchObject({ ok: true, totalFiles: 2, passedCount: 1, failedCount: 1 });
      const empty = (await app.inject({ method: 'POST', url: '/api/verify/content/folder', payload: { path: join(clip, '..', '..') }, headers: h })).json();
      expect(empty).toMatchObject({ ok: true, totalFiles: 0, message: 'No media files found in folder' });
    });

    it('flags executables, double extensions, contradicting magic bytes and archives holding programs', async () => {
      const { root, clip, h, app } = await setup();
      const dir = join(root, 'Suspicious');
      mkdirSync(dir);
      writeFileSync(join(dir, 'movie.mkv.exe'), Buffer.concat([Buffer.from('MZ'), Buffer.alloc(256)]));
      copyFileSync('/bin/true', join(dir, 'trailer.avi'));
      writeFileSync(join(dir, 'extras.mkv'), '#!/bin/sh\necho owned\n');
      await tarGz(join(dir, 'subs.tar.gz'), { 'subs/en.srt': '1\n', 'subs/codec-installer.exe': 'MZ' });
      await tarGz(join(dir, 'Poster.mp4'), { 'a.txt': 'x' });
      const res = await app.inject({ method: 'POST', url: '/api/verify/security/folder', payload: { path: dir }, headers: h });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ ok: true, safe: false, scannedFiles: 5 });
      const found = body.issues.map((i: { type: string; severity: string; file: string }) => `${i.file.slice(dir.length + 1)} ${i.type} ${i.severity}`).sort();
      expect(found).toEqual([
        'Poster.mp4 extension_mismatch danger',
        'extras.mkv script_content danger',
        'movie.mkv.exe double_extension critical',
        'subs.tar.gz archive_contains_executable danger',
        'trailer.avi executable_content critical',
      ]);
      const clean = (await app.inject({ method: 'POST', url: '/api/verify/security', payload: { path: clip }, headers: h })).json();
      expect(clean).toMatchObject({ ok: true, safe: true, issues: [], scannedFiles: 1 });
      const one = (await app.inject({ method: 'POST', url: '/api/verify/content', payload: { path: join(dir, 'trailer.avi') }, headers: h })).json();
      expect(one.checks.securityCheck).toBe('fail');
      expect(one.passed).toBe(false);

      const q = (filename: unknown) => app.inject({ method: 'POST', url: '/api/verify/security/quick', payload: { filename }, headers: h });
      expect((await q('Movie.2020.mkv.exe')).json()).toEqual({ ok: true, safe: false, reason: 'Double extension hides an executable: .mkv.exe' });
      expect((await q('setup.bat')).json()).toEqual({ ok: true, safe: false, reason: 'Executable file type (.bat)' });
      expect((await q('Movie.2020.mkv')).json()).toEqual({ ok: true, safe: true });
      expect((await q(undefined)).statusCode).toBe(400);
      expect((await q(undefined)).json()).toMatchObject({ ok: false, error: 'Filename is required' });
    });

    it('every route that takes a path refuses .., absolute, relative and symlinked escapes with 403 and reads nothing', async () => {
      const { root, outside, h, app } = await setup();
      const escapes = [
        join(root, '..', '..', 'outside', 'secret.mkv'),
        join(outside, 'secret.mkv'),
        join(root, 'link.mkv'),
        join(root, 'escape', 'secret.mkv'),
        'secret.mkv',
        '/etc/passwd',
      ];
      const routes: [string, (p: string) => Record<string, unknown>][] = [
        ['/api/verify/content', (p) => ({ path: p })],
        ['/api/verify/content/quick', (p) => ({ path: p })],
        ['/api/verify/content/batch', (p) => ({ paths: [p] })],
        ['/api/verify/content/folder', (p) => ({ path: p })],
        ['/api/verify/security', (p) => ({ path: p })],
        ['/api/verify/security/folder', (p) => ({ path: p })],
        ['/api/verify/queue', (p) => ({ path: p })],
        ['/api/verify/queue/batch', (p) => ({ files: [{ path: p }] })],
      ];
      for (const [url, body] of routes) {
        for (const p of escapes) {
          const res = await app.inject({ method: 'POST', url, payload: body(p), headers: h });
          expect(res.statusCode, `${url} ${p}`).toBe(403);
          expect(res.json().error).toBe('path_not_allowed');
        }
        const none = await app.inject({ method: 'POST', url, payload: {}, headers: h });
        expect(none.statusCode, url).toBe(400);
      }
      expect((await app.inject({ method: 'POST', url: '/api/verify/content', payload: {}, headers: h })).json().error).toBe('Path is required');
      expect((await app.inject({ method: 'POST', url: '/api/verify/content/batch', payload: {}, headers: h })).json().error).toBe('Paths are required');
      const bad = await app.inject({ method: 'POST', url: '/api/verify/content', payload: { path: join(root, 'x.mkv'), minBitrateKbps: 'fast' }, headers: h });
      expect(bad.json().error).toContain('minBitrateKbps: must be a number');
      expect((await app.inject({ method: 'GET', url: '/api/verify/queue', headers: h })).json()).toMatchObject({ totalJobs: 0 });
    });

    it('queues checks on the job queue: queued, running, done; results per file; cancel and clear', async () => {
      const { clip, h, app } = await setup();
      const add = await app.inject({
        method: 'POST',
        url: '/api/verify/queue',
        payload: { path: clip, metadata: { title: 'Clip', kind: 'movie' } },
        headers: h,
      });
      expect(add.json()).toMatchObject({ ok: true, message: 'Verification job queued' });
      const id = add.json().jobId as string;
      let job: Record<string, unknown> = {};
      for (let i = 0; i < 500 && job.status !== 'completed' && job.status !== 'failed'; i++) {
        job = (await app.inject({ method: 'GET', url: `/api/verify/queue/${id}`, headers: h })).json().job;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(job).toMatchObject({ id, type: 'file', path: clip, status: 'completed', priority: 5, metadata: { title: 'Clip', kind: 'movie' } });
      expect((job.result as { metadata: { width: number } }).metadata.width).toBe(320);
      expect(job.completedAt).toBeTypeOf('string');

      // Many at once: the last is still queued when cancelled.
      const many = await app.inject({
        method: 'POST',
        url: '/api/verify/queue/batch',
        payload: { files: Array.from({ length: 5 }, () => ({ path: clip })), priority: 3 },
        headers: h,
      });
      const ids = many.json().jobIds as string[];
      expect(ids).toHaveLength(5);
      expect((await app.inject({ method: 'DELETE', url: `/api/verify/queue/${ids[4]}`, headers: h })).json()).toEqual({ ok: true, message: 'Job cancelled' });
      expect((await app.inject({ method: 'DELETE', url: `/api/verify/queue/${id}`, headers: h })).json()).toEqual({
        ok: false,
        error: 'Job cannot be cancelled (not queued or not found)',
      });
      let q: Record<string, unknown> = {};
      for (let i = 0; i < 1000; i++) {
        q = (await app.inject({ method: 'GET', url: '/api/verify/queue', headers: h })).json();
        if (q.queuedJobs === 0 && q.runningJobs === 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(q).toMatchObject({ ok: true, totalJobs: 6, completedJobs: 5, failedJobs: 1, isProcessing: false });
      const results = (await app.inject({ method: 'GET', url: '/api/verify/queue/results', headers: h })).json();
      expect(results).toMatchObject({ ok: true, total: 1, failed: 1, results: [{ path: clip, passed: false, issueCount: 1, securityIssueCount: 0 }] });
      expect((await app.inject({ method: 'POST', url: '/api/verify/queue/clear', headers: h })).json()).toMatchObject({ ok: true, cleared: 6 });
      expect((await app.inject({ method: 'GET', url: `/api/verify/queue/${id}`, headers: h })).statusCode).toBe(404);
    });
  });
}
