import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detectSyncTool, detectWhisper } from '../../src/subtitles/subtitle-tools.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import { sqlEngines } from '../helpers/engines.js';
import { makeSample, skipWithoutFfmpeg } from '../verify/media-samples.js';

const SRT_EN = '1\n00:00:00,100 --> 00:00:00,600\nHello there\n\n2\n00:00:00,700 --> 00:00:00,900\nGeneral Kenobi\n';
const SRT_FR = '1\n00:00:00,100 --> 00:00:00,600\nBonjour\n';

/** A local server answering the OpenSubtitles REST v1 search as documented (GET /api/v1/subtitles). */
async function openSubtitlesServer(): Promise<{ url: string; seen: IncomingMessage[]; close: () => Promise<void> }> {
  const seen: IncomingMessage[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req);
    const u = new URL(req.url ?? '/', 'http://x');
    if (req.headers['api-key'] !== 'good-key') {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'You cannot consume this service' }));
      return;
    }
    if (u.pathname !== '/api/v1/subtitles') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        total_pages: 1,
        total_count: 1,
        per_page: 60,
        page: 1,
        data: [
          {
            id: '8167283',
            type: 'subtitle',
            attributes: {
              subtitle_id: '8167283',
              language: 'en',
              download_count: 4521,
              hearing_impaired: false,
              ratings: 8.5,
              upload_date: '2021-03-02T10:11:12Z',
              release: 'The.Matrix.1999.1080p.BluRay',
              files: [{ file_id: 9001, cd_number: 1, file_name: 'The.Matrix.1999.1080p.BluRay.srt' }],
            },
          },
        ],
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => new Promise((r) => server.close(() => r())) };
}

for (const engine of sqlEngines()) {
  describe.skipIf(skipWithoutFfmpeg)(`subtitle tools (${engine})`, () => {
    let t: TestApp | undefined;
    let os: Awaited<ReturnType<typeof openSubtitlesServer>> | undefined;
    afterEach(async () => {
      await t?.close();
      await os?.close();
      t = undefined;
      os = undefined;
    });

    async function setup() {
      os = await openSubtitlesServer();
      t = await createTestApp({ engine, env: { MEDIAOS_OPENSUBTITLES_URL: `${os.url}/` } });
      const root = join(t.dir, 'media', 'movies');
      const outside = join(t.dir, 'outside');
      mkdirSync(join(root, 'Clip (2020)'), { recursive: true });
      mkdirSync(outside, { recursive: true });
      writeFileSync(join(t.dir, 'en.srt'), SRT_EN);
      writeFileSync(join(t.dir, 'fr.srt'), SRT_FR);
      const clip = join(root, 'Clip (2020)', 'Clip.2020.mkv');
      makeSample(clip, { subtitles: [join(t.dir, 'en.srt'), join(t.dir, 'fr.srt')] });
      writeFileSync(join(outside, 'x.srt'), SRT_FR);
      symlinkSync(outside, join(root, 'escape'));
      await t.ctx.stores.settings.put('settings', { mediaFolders: [{ path: root, type: 'movies' }], openSubtitlesApiKey: 'good-key' });
      const admin = await registerAdmin(t.app);
      const user = await registerUser(t.app, admin.accessToken);
      return { root, outside, clip, h: bearer(admin.accessToken), u: bearer(user.accessToken), app: t.app, token: admin.accessToken };
    }

    it('lists and extracts embedded tracks, parses, converts SRT <-> VTT and shifts timing, never overwriting', async () => {
      const { root, clip, h, u, app } = await setup();
      const tracks = await app.inject({ method: 'GET', url: `/api/subtitles/tracks?path=${encodeURIComponent(clip)}`, headers: u });
      expect(tracks.statusCode).toBe(200);
      expect(tracks.json()).toMatchObject({
        ok: true,
        hasEmbedded: true,
        tracks: [
          { index: 2, codec: 'subrip', language: 'eng', textBased: true },
          { index: 3, codec: 'subrip', language: 'fre', textBased: true },
        ],
      });
      expect((await app.inject({ method: 'POST', url: '/api/subtitles/extract', payload: { videoPath: clip, trackIndex: 2 }, headers: u })).statusCode).toBe(
        403,
      );
      const ex = await app.inject({ method: 'POST', url: '/api/subtitles/extract', payload: { videoPath: clip, trackIndex: 2 }, headers: h });
      expect(ex.json()).toMatchObject({ ok: true, trackIndex: 2, language: 'eng', format: 'srt' });
      const out = ex.json().outputPath as string;
      expect(out).toBe(join(root, 'Clip (2020)', 'Clip.2020.eng.2.srt'));
      expect(readFileSync(out, 'utf8')).toContain('General Kenobi');
      const again = await app.inject({ method: 'POST', url: '/api/subtitles/extract', payload: { videoPath: clip, trackIndex: 2 }, headers: h });
      expect(again.statusCode).toBe(409);
      expect(
        (await app.inject({ method: 'POST', url: '/api/subtitles/extract', payload: { videoPath: clip, trackIndex: 7 }, headers: h })).json().message,
      ).toContain('trackIndex: the video has no subtitle stream 7');

      // ffmpeg's copy keeps the text; its times move by the container's start offset. The rest runs on a file of known times.
      const extracted = (await app.inject({ method: 'POST', url: '/api/subtitles/parse', payload: { path: out }, headers: u })).json();
      expect(extracted.entries.map((e: { text: string }) => e.text)).toEqual(['Hello there', 'General Kenobi']);
      const orig = join(root, 'orig.srt');
      writeFileSync(orig, SRT_EN);
      const parsed = (await app.inject({ method: 'POST', url: '/api/subtitles/parse', payload: { path: orig }, headers: u })).json();
      expect(parsed).toEqual({
        ok: true,
        count: 2,
        duration: 900,
        entries: [
          { index: 1, start: 100, end: 600, text: 'Hello there' },
          { index: 2, start: 700, end: 900, text: 'General Kenobi' },
        ],
      });

      const vtt = (await app.inject({ method: 'POST', url: '/api/subtitles/convert', payload: { inputPath: orig, outputFormat: 'vtt' }, headers: h })).json();
      expect(vtt).toMatchObject({ ok: true, entriesConverted: 2, outputPath: join(root, 'orig.vtt') });
      expect(readFileSync(vtt.outputPath, 'utf8')).toMatch(/^WEBVTT[\s\S]*00:00:00\.100 --> 00:00:00\.600\nHello there/);
      expect(
        (await app.inject({ method: 'POST', url: '/api/subtitles/convert', payload: { inputPath: orig, outputFormat: 'vtt' }, headers: h })).statusCode,
      ).toBe(409);
      const back = join(root, 'back.srt');
      const srt = (
        await app.inject({
          method: 'POST',
          url: '/api/subtitles/convert',
          payload: { inputPath: vtt.outputPath, outputFormat: 'srt', outputPath: back },
          headers: h,
        })
      ).json();
      expect(srt.entriesConverted).toBe(2);
      expect(readFileSync(back, 'utf8')).toContain('00:00:00,700 --> 00:00:00,900');

      const shifted = (
        await app.inject({ method: 'POST', url: '/api/subtitles/sync/manual', payload: { subtitlePath: back, offsetMs: 1500 }, headers: h })
      ).json();
      expect(shifted).toEqual({ ok: true, outputPath: join(root, 'back.adjusted.srt'), entriesAdjusted: 2 });
      expect(readFileSync(shifted.outputPath, 'utf8')).toContain('00:00:01,600 --> 00:00:02,100');
      const bad = await app.inject({ method: 'POST', url: '/api/subtitles/sync/manual', payload: { subtitlePath: back, offsetMs: 'soon' }, headers: h });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toContain('offsetMs: must be a number');
      expect((await app.inject({ method: 'POST', url: '/api/subtitles/convert', payload: { inputPath: back }, headers: h })).json().error).toBe(
        'outputFormat is required',
      );
    });

    it('refuses paths outside the media folders (.., %2e%2e, absolute, symlink, relative) with 403, writing nothing', async () => {
      const { root, outside, h, app } = await setup();
      const escapes = [`${root}/../../outside/x.srt`, join(outside, 'x.srt'), join(root, 'escape', 'x.srt'), 'x.srt'];
      for (const p of escapes) {
        for (const [url, payload] of [
          ['/api/subtitles/parse', { path: p }],
          ['/api/subtitles/convert', { inputPath: p, outputFormat: 'vtt' }],
          ['/api/subtitles/convert', { inputPath: join(root, 'none.srt'), outputFormat: 'vtt', outputPath: p.replace(/srt$/, 'vtt') }],
          ['/api/subtitles/sync/manual', { subtitlePath: p, offsetMs: 1 }],
          ['/api/subtitles/extract', { videoPath: p, trackIndex: 0 }],
          ['/api/subtitles/sync/detect', { videoPath: p, subtitlePath: p }],
          ['/api/subtitles/automation/process', { videoPath: p, type: 'generate' }],
          ['/api/subtitles/generate', { videoPath: p }],
        ] as const) {
          const res = await app.inject({ method: 'POST', url, payload, headers: h });
          expect([403, 400], `${url} ${JSON.stringify(payload)}`).toContain(res.statusCode);
          if (!url.includes('convert') || payload.inputPath === p) expect(res.statusCode, `${url} ${p}`).toBe(403);
        }
      }
      // The query string is decoded once: %2e%2e is "..".
      const enc = await app.inject({ method: 'GET', url: `/api/subtitles/tracks?path=${root}/%2e%2e/%2e%2e/outside/x.srt`, headers: h });
      expect(enc.statusCode).toBe(403);
      expect(enc.json().error).toBe('path_not_allowed');
      expect((await app.inject({ method: 'GET', url: '/api/subtitles/tracks', headers: h })).json()).toMatchObject({ ok: false, error: 'path is required' });
      expect(readFileSync(join(outside, 'x.srt'), 'utf8')).toBe(SRT_FR);
    });

    it('searches OpenSubtitles (REST v1) through the configured base URL; the key never shows', async () => {
      const { h, app } = await setup();
      const res = await app.inject({
        method: 'POST',
        url: '/api/subtitles/search',
        payload: { imdbId: 'tt0133093', language: 'en', season: 1, episode: 2 },
        headers: h,
      });
      expect(res.json()).toEqual({
        ok: true,
        results: [
          {
            id: '8167283',
            language: 'en',
            filename: 'The.Matrix.1999.1080p.BluRay.srt',
            downloads: 4521,
            rating: 8.5,
            hearingImpaired: false,
            uploadDate: '2021-03-02T10:11:12Z',
            fileId: 9001,
          },
        ],
      });
      const req = os!.seen[0]!;
      const q = new URL(req.url ?? '', 'http://x').searchParams;
      expect([q.get('imdb_id'), q.get('languages'), q.get('season_number'), q.get('episode_number')]).toEqual(['133093', 'en', '1', '2']);
      expect(req.headers['user-agent']).toBe('MediaOS v1');

      await t!.ctx.stores.settings.put('settings', { openSubtitlesApiKey: 'wrong-key-123' });
      const refused = await app.inject({ method: 'POST', url: '/api/subtitles/search', payload: { title: 'The Matrix' }, headers: h });
      expect(refused.statusCode).toBe(502);
      expect(refused.json().error).toBe('OpenSubtitles refused the API key');
      expect(refused.body).not.toContain('wrong-key-123');
      await t!.ctx.stores.settings.put('settings', {});
      expect((await app.inject({ method: 'POST', url: '/api/subtitles/search', payload: { title: 'The Matrix' }, headers: h })).json()).toMatchObject({
        ok: false,
      });
      expect((await app.inject({ method: 'POST', url: '/api/subtitles/search', payload: {}, headers: h })).json().error).toBe('imdbId or title is required');
      expect((await app.inject({ method: 'POST', url: '/api/subtitles/search', payload: { imdbId: 'x' }, headers: h })).json().error).toContain(
        'imdbId: must be an IMDb id',
      );
    });

    it('automation: scan on the job queue finds videos without preferred subtitles; Whisper and sync say when they are not installed', async () => {
      const { root, clip, h, u, app, token } = await setup();
      await app.inject({ method: 'POST', url: '/api/scanner/start', payload: {}, headers: h });
      for (let i = 0; i < 500; i++) {
        if ((await app.inject({ method: 'GET', url: '/api/scanner/status', headers: h })).json().status !== 'scanning') break;
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(token).toBeTruthy();
      const first = (await app.inject({ method: 'POST', url: '/api/subtitles/automation/scan', headers: h })).json();
      expect(first).toMatchObject({ ok: true, scanned: 1, issues: [{ path: clip, missingLanguages: ['en'] }] });
      writeFileSync(join(root, 'Clip (2020)', 'Clip.2020.en.srt'), SRT_EN);
      const second = (await app.inject({ method: 'POST', url: '/api/subtitles/automation/scan', headers: h })).json();
      expect(second).toMatchObject({ ok: true, scanned: 1, issues: [] });
      const status = (await app.inject({ method: 'GET', url: '/api/subtitles/automation/status', headers: u })).json();
      expect(status).toMatchObject({ ok: true, enabled: true, queuedJobs: 0, runningJobs: 0, completedJobs: 0, failedJobs: 0 });
      expect(status.lastScanAt).toBeTypeOf('string');
      expect(Date.parse(status.nextScanAt) - Date.parse(status.lastScanAt)).toBe(24 * 3_600_000);
      expect((await app.inject({ method: 'GET', url: '/api/subtitles/automation/jobs', headers: u })).json()).toEqual({ ok: true, jobs: [], total: 0 });
      expect((await app.inject({ method: 'GET', url: '/api/subtitles/automation/jobs/nope', headers: u })).statusCode).toBe(404);
      expect((await app.inject({ method: 'GET', url: '/api/subtitles/generate/nope', headers: u })).statusCode).toBe(404);
      expect((await app.inject({ method: 'POST', url: '/api/subtitles/automation/clear', headers: h })).json()).toMatchObject({ ok: true, cleared: 0 });
      expect((await app.inject({ method: 'GET', url: '/api/subtitles/generate/jobs', headers: u })).json()).toEqual({ ok: true, jobs: [], activeCount: 0 });

      const whisper = await detectWhisper();
      const check = (await app.inject({ method: 'GET', url: '/api/subtitles/generate/check', headers: u })).json();
      expect(check).toMatchObject({ ok: true, available: whisper.available, model: 'base' });
      expect(status.whisperAvailable).toBe(whisper.available);
      if (!whisper.available) {
        expect(check.installInstructions).toContain('openai-whisper');
        const gen = (await app.inject({ method: 'POST', url: '/api/subtitles/generate', payload: { videoPath: clip }, headers: h })).json();
        expect(gen).toMatchObject({ ok: false, available: false, error: 'Whisper is not installed on the server' });
        const proc = (
          await app.inject({ method: 'POST', url: '/api/subtitles/automation/process', payload: { videoPath: clip, type: 'generate' }, headers: h })
        ).json();
        expect(proc).toMatchObject({ ok: false, available: false });
      }
      if (!(await detectSyncTool()).available) {
        const srt = join(root, 'Clip (2020)', 'Clip.2020.en.srt');
        const detect = (
          await app.inject({ method: 'POST', url: '/api/subtitles/sync/detect', payload: { videoPath: clip, subtitlePath: srt }, headers: u })
        ).json();
        expect(detect).toMatchObject({ ok: false, available: false, installInstructions: expect.stringContaining('ffsubsync') });
        const auto = (
          await app.inject({ method: 'POST', url: '/api/subtitles/sync/auto', payload: { videoPath: clip, subtitlePath: srt }, headers: h })
        ).json();
        expect(auto).toMatchObject({ ok: false, available: false });
      }
      expect(
        (await app.inject({ method: 'POST', url: '/api/subtitles/automation/process', payload: { videoPath: clip, type: 'dance' }, headers: h })).json().error,
      ).toContain('type: must be sync or generate');
    });
  });
}
