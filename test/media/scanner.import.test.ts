import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createJobQueue } from '../../src/jobs/jobs.queue.js';
import { createJobsSql } from '../../src/jobs/jobs.sql.js';
import { createMediaFilesSql } from '../../src/media/media-files.sql.js';
import { createScannerImport, IMPORT_INLINE_MAX } from '../../src/media/scanner.import.js';
import { createScannerService } from '../../src/media/scanner.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import { createTestDatabase, sqlEngines } from '../helpers/engines.js';
import { makeSample, skipWithoutFfmpeg } from '../verify/media-samples.js';

/** A movies root with a real (ffmpeg) sample, a series root, and a folder outside both with a symlink into it. */
function tree(base: string) {
  const root = join(base, 'media');
  const movies = join(root, 'movies');
  const series = join(root, 'series');
  const outside = join(base, 'outside');
  mkdirSync(join(movies, 'Heat (1995)'), { recursive: true });
  mkdirSync(join(series, 'Dark', 'Season 01'), { recursive: true });
  mkdirSync(outside, { recursive: true });
  const heat = join(movies, 'Heat (1995)', 'Heat.1995.1080p.BluRay.x264-GRP.mkv');
  makeSample(heat);
  const dark = join(series, 'Dark', 'Season 01', 'Dark.S01E01.720p.WEB-DL.mkv');
  writeFileSync(dark, 'dark-episode-1');
  const secret = join(outside, 'Secret.2001.1080p.mkv');
  writeFileSync(secret, 'outside');
  symlinkSync(secret, join(movies, 'Secret.2001.1080p.mkv'));
  symlinkSync(outside, join(movies, 'escape'));
  const folders = [
    { path: movies, type: 'movies' },
    { path: series, type: 'series' },
  ];
  return { root, movies, series, outside, heat, dark, secret, folders };
}

async function waitForImport(t: TestApp, token: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 3000; i++) {
    const s = (await t.app.inject({ method: 'GET', url: '/api/scanner/import/status', headers: bearer(token) })).json() as Record<string, unknown>;
    if (s.status !== 'importing') return s;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('import did not finish');
}

for (const engine of sqlEngines()) {
  describe.skipIf(skipWithoutFfmpeg)(`POST /api/scanner/import (${engine})`, () => {
    let t: TestApp | undefined;
    afterEach(async () => {
      await t?.close();
      t = undefined;
    });

    it('writes the picked files onto existing items and records them; unknown items and missing files are skipped', async () => {
      t = await createTestApp({ engine });
      const m = tree(t.dir);
      await t.ctx.stores.settings.put('settings', { setupCompleted: true, mediaFolders: m.folders });
      const admin = await registerAdmin(t.app);
      const user = await registerUser(t.app, admin.accessToken);
      const h = bearer(admin.accessToken);
      const heat = (await t.app.inject({ method: 'POST', url: '/api/library', payload: { kind: 'movie', title: 'Heat' }, headers: h })).json().item;
      const dark = (await t.app.inject({ method: 'POST', url: '/api/library', payload: { kind: 'series', title: 'Dark' }, headers: h })).json().item;
      await t.ctx.stores.library.patch(heat.id, { metadata: { tmdbId: 949 } }, new Date().toISOString());

      // What a client sends: the files of a preview, each with the item it belongs to.
      const preview = (await t.app.inject({ method: 'POST', url: '/api/scanner/preview', payload: { path: m.movies }, headers: h })).json();
      const heatParsed = preview.files.find((f: { path: string }) => f.path === m.heat).parsed;
      expect(heatParsed).toMatchObject({ title: 'Heat', year: 1995, quality: '1080p' });
      const body = {
        kind: 'movies',
        files: [
          { path: m.heat, itemId: heat.id, parsed: { ...heatParsed, injected: { nested: true } } },
          { path: m.dark, itemId: dark.id, parsed: { type: 'series', title: 'Dark', season: 1, episode: 1, source: 'WEB-DL' } },
          { path: m.heat, itemId: 'no-such-item', parsed: {} },
          { path: join(m.movies, 'Gone.2004.mkv'), itemId: heat.id, parsed: {} },
        ],
      };
      expect((await t.app.inject({ method: 'POST', url: '/api/scanner/import', payload: body, headers: bearer(user.accessToken) })).statusCode).toBe(403);
      const res = await t.app.inject({ method: 'POST', url: '/api/scanner/import', payload: body, headers: h });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ ok: true, count: 2, total: 4, skipped: 2 });

      const got = (await t.app.inject({ method: 'GET', url: `/api/library/${heat.id}`, headers: h })).json().item;
      expect(got).toMatchObject({ filePath: m.heat, fileSize: statSync(m.heat).size, quality: '1080p', source: 'bluray' });
      expect(got.metadata).toMatchObject({ tmdbId: 949, title: 'Heat', year: 1995, quality: '1080p', originalFilename: 'Heat.1995.1080p.BluRay.x264-GRP.mkv' });
      expect(Date.parse(got.metadata.importedAt)).not.toBeNaN();
      expect(got.metadata.injected).toBeUndefined();
      const gotDark = (await t.app.inject({ method: 'GET', url: `/api/library/${dark.id}`, headers: h })).json().item;
      expect(gotDark).toMatchObject({ filePath: m.dark, fileSize: 14, quality: '720p', source: 'WEB-DL', metadata: { season: 1, episode: 1 } });

      const files = await t.ctx.services.scanner.files();
      expect(files.map((f) => [f.path, f.itemId, f.kind, f.size, f.status])).toEqual([
        [m.heat, heat.id, 'movie', statSync(m.heat).size, 'present'],
        [m.dark, dark.id, 'series', 14, 'present'],
      ]);

      // A scan afterwards keeps the import's links (the files did not change).
      await t.app.inject({ method: 'POST', url: '/api/scanner/start', payload: {}, headers: h });
      for (let i = 0; i < 3000 && t.ctx.services.scanner.status().status === 'scanning'; i++) await new Promise((r) => setTimeout(r, 10));
      expect(t.ctx.services.scanner.status()).toMatchObject({ status: 'completed', changes: { added: 0, changed: 0, unchanged: 2, missing: 0 } });
      expect((await t.ctx.services.scanner.files()).map((f) => f.itemId)).toEqual([heat.id, dark.id]);
      const items = (await t.app.inject({ method: 'GET', url: '/api/library', headers: h })).json().items;
      expect(items).toHaveLength(2);

      const empty = await t.app.inject({ method: 'POST', url: '/api/scanner/import', payload: { kind: 'movies', files: [] }, headers: h });
      expect(empty.statusCode).toBe(400);
      expect(empty.json()).toMatchObject({ ok: false, error: 'No files to import' });
      const bad = await t.app.inject({ method: 'POST', url: '/api/scanner/import', payload: { files: [{ path: m.heat }] }, headers: h });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toContain('itemId');
    });

    it('a path outside the media roots refuses the whole request with 403: nothing read or written', async () => {
      t = await createTestApp({ engine });
      const m = tree(t.dir);
      await t.ctx.stores.settings.put('settings', { mediaFolders: m.folders });
      const admin = await registerAdmin(t.app);
      const h = bearer(admin.accessToken);
      const heat = (await t.app.inject({ method: 'POST', url: '/api/library', payload: { kind: 'movie', title: 'Heat' }, headers: h })).json().item;
      const before = (await t.app.inject({ method: 'GET', url: `/api/library/${heat.id}`, headers: h })).json().item;
      const escapes = [
        join(m.movies, '..', '..', 'outside', 'Secret.2001.1080p.mkv'),
        `${m.movies}/%2e%2e/../../outside/Secret.2001.1080p.mkv`,
        m.secret,
        join(m.movies, 'Secret.2001.1080p.mkv'),
        join(m.movies, 'escape', 'Secret.2001.1080p.mkv'),
        'outside/Secret.2001.1080p.mkv',
      ];
      for (const path of escapes) {
        // A good file first: it must not be written either.
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/scanner/import',
          payload: {
            files: [
              { path: m.heat, itemId: heat.id, parsed: { quality: '1080p' } },
              { path, itemId: heat.id, parsed: {} },
            ],
          },
          headers: h,
        });
        expect(res.statusCode, path).toBe(403);
        expect(res.json(), path).toMatchObject({ ok: false, error: 'path_not_allowed', message: expect.stringContaining('files[1].path') });
      }
      // A NUL byte never reaches the route: the input guard answers 400.
      const nul = await t.app.inject({
        method: 'POST',
        url: '/api/scanner/import',
        payload: { files: [{ path: `${m.heat}\u0000`, itemId: heat.id }] },
        headers: h,
      });
      expect(nul.statusCode).toBe(400);
      // `%2e%2e` is no escape in a JSON body: a folder of that name inside the root (absent here) -> skipped, nothing read.
      const literal = await t.app.inject({
        method: 'POST',
        url: '/api/scanner/import',
        payload: { files: [{ path: `${m.movies}/%2e%2e/outside/Secret.2001.1080p.mkv`, itemId: heat.id, parsed: {} }] },
        headers: h,
      });
      expect(literal.json()).toEqual({ ok: true, count: 0, total: 1, skipped: 1 });
      expect((await t.app.inject({ method: 'GET', url: `/api/library/${heat.id}`, headers: h })).json().item).toEqual(before);
      expect(await t.ctx.services.scanner.files()).toEqual([]);
      expect(readFileSync(m.secret, 'utf8')).toBe('outside');
    });

    it('a long list runs as a queued job with progress; the job checks the roots again when it runs', async () => {
      t = await createTestApp({ engine });
      const m = tree(t.dir);
      await t.ctx.stores.settings.put('settings', { mediaFolders: m.folders });
      const admin = await registerAdmin(t.app);
      const h = bearer(admin.accessToken);
      const ids: string[] = [];
      for (const title of ['Alpha', 'Beta', 'Gamma'])
        ids.push((await t.app.inject({ method: 'POST', url: '/api/library', payload: { kind: 'movie', title }, headers: h })).json().item.id);
      const bulk = join(m.movies, 'bulk');
      mkdirSync(bulk);
      const n = IMPORT_INLINE_MAX + 50;
      const files = Array.from({ length: n }, (_, i) => {
        const path = join(bulk, `Film.${String(i).padStart(4, '0')}.2001.720p.WEB-DL.mkv`);
        writeFileSync(path, 'x'.repeat(i % 7));
        return { path, itemId: ids[i % 3]!, parsed: { quality: '720p' } };
      });
      const res = await t.app.inject({ method: 'POST', url: '/api/scanner/import', payload: { kind: 'movies', files }, headers: h });
      expect(res.statusCode).toBe(202);
      expect(res.json()).toMatchObject({ ok: true, queued: true, total: n, jobId: expect.stringMatching(/^[0-9a-f]{32}$/) });
      const done = await waitForImport(t, admin.accessToken);
      expect(done).toMatchObject({ ok: true, status: 'completed', jobId: res.json().jobId, total: n, processed: n, count: n, skipped: 0, errors: [] });
      const recorded = await t.ctx.services.scanner.files();
      expect(recorded).toHaveLength(n);
      expect(recorded.filter((f) => f.itemId === ids[1]).length).toBe(Math.floor(n / 3));
      // Each item holds the last of its files, as legacy's file-by-file writes left it.
      const gamma = (await t.app.inject({ method: 'GET', url: `/api/library/${ids[2]}`, headers: h })).json().item;
      const lastGamma = files.filter((f) => f.itemId === ids[2]).at(-1)!;
      expect(gamma).toMatchObject({ filePath: lastGamma.path, quality: '720p' });
      const job = await t.ctx.stores.jobs.get(res.json().jobId);
      expect(job).toMatchObject({ type: 'media-import', status: 'completed', result: { count: n } });

      // A list larger than the default 1 MiB body is taken (files not there are skipped by the job).
      const many = Array.from({ length: 9000 }, (_, i) => ({
        path: join(bulk, `Not.There.${i}.2001.720p.WEB-DL.mkv`),
        itemId: ids[0]!,
        parsed: { quality: '720p' },
      }));
      expect(JSON.stringify({ files: many }).length).toBeGreaterThan(1024 * 1024);
      const big = await t.app.inject({ method: 'POST', url: '/api/scanner/import', payload: { files: many }, headers: h });
      expect(big.statusCode).toBe(202);
      expect(await waitForImport(t, admin.accessToken)).toMatchObject({ status: 'completed', jobId: big.json().jobId, total: 9000, count: 0, skipped: 9000 });

      // A second service whose queue no worker reads: its job runs when this test says, after the roots changed.
      const qdb = await createTestDatabase('sqlite');
      try {
        const queue = createJobQueue({ sql: createJobsSql(qdb.db.kysely, qdb.db.engine) });
        const importer = createScannerImport({
          settings: t.ctx.stores.settings,
          library: t.ctx.stores.library,
          files: createMediaFilesSql(t.ctx.db.kysely),
          queue,
          scanning: () => false,
          now: () => new Date(),
        });
        const queued = await importer.start({ files });
        expect(queued).toMatchObject({ queued: true, total: n });
        await expect(importer.start({ files })).rejects.toMatchObject({ status: 409, code: 'Import in progress' });
        await t.ctx.stores.settings.put('settings', { mediaFolders: [m.folders[1]] });
        const record = (await queue.get((queued as { jobId: string }).jobId))!;
        const result = await importer.runJob(record.payload, { job: record, signal: new AbortController().signal });
        expect(result).toMatchObject({ status: 'completed', count: 0, skipped: n });
        expect(result.errors[0]).toBe(`Not inside the media folders: ${files[0]!.path}`);
        expect(result.errors).toHaveLength(100);

        // A job that ended elsewhere (another process, or died): the progress here follows the queue.
        await t.ctx.stores.settings.put('settings', { mediaFolders: m.folders });
        const again = (await importer.start({ files: files.slice(0, IMPORT_INLINE_MAX + 1) })) as { jobId: string };
        expect(importer.status()).toMatchObject({ status: 'importing', jobId: again.jobId });
        await qdb.db.kysely.updateTable('jobs').set({ status: 'failed', error: 'worker died' }).where('id', '=', again.jobId).execute();
        await importer.settle();
        expect(importer.status()).toMatchObject({ status: 'failed', jobId: again.jobId, errors: ['worker died'] });

        // While an import runs, a scan is refused (both write media_files).
        const scanner = createScannerService({
          settings: t.ctx.stores.settings,
          library: t.ctx.stores.library,
          files: createMediaFilesSql(t.ctx.db.kysely),
          queue,
          importing: () => true,
          now: () => new Date(),
        });
        await expect(scanner.start({})).rejects.toMatchObject({ status: 409, code: 'Import in progress - cannot scan' });
      } finally {
        await qdb.cleanup();
      }
    });
  });
}
