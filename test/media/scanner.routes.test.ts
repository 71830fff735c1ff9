import { appendFileSync, mkdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createJobQueue } from '../../src/jobs/jobs.queue.js';
import { createJobsSql } from '../../src/jobs/jobs.sql.js';
import { createMediaFilesSql } from '../../src/media/media-files.sql.js';
import { createScannerService } from '../../src/media/scanner.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import { createTestDatabase, sqlEngines } from '../helpers/engines.js';

/** A real media tree: movies with years, a series with seasons, an album, a book, and escapes. */
function mediaTree(base: string) {
  const root = join(base, 'media');
  const outside = join(base, 'outside');
  const files: Record<string, string> = {
    'movies/Heat (1995)/Heat.1995.1080p.BluRay.x264-GRP.mkv': 'heat-video-bytes',
    'movies/The.Matrix.1999.720p.WEB-DL.mp4': 'matrix-video',
    'movies/Heat (1995)/notes.txt': 'not media',
    'series/Breaking Bad/Season 01/Breaking.Bad.S01E01.720p.HDTV.mkv': 'bb-1',
    'series/Breaking Bad/Season 01/Breaking.Bad.S01E02.720p.HDTV.mkv': 'bb-2',
    'music/Pink Floyd/The Wall (1979)/01 - In the Flesh.flac': 'flac-bytes',
    'music/Pink Floyd/The Wall (1979)/02 - The Thin Ice.mp3': 'mp3-bytes',
    'books/Frank Herbert - Dune (1965).epub': 'PK-epub',
  };
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), body);
  }
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, 'Secret.2001.1080p.mkv'), 'outside');
  // Escapes: a file symlink and a folder symlink leading out of the movies root.
  symlinkSync(join(outside, 'Secret.2001.1080p.mkv'), join(root, 'movies', 'Secret.2001.1080p.mkv'));
  symlinkSync(outside, join(root, 'movies', 'escape'));
  const folders = [
    { path: join(root, 'movies'), type: 'movies', enabled: true },
    { path: join(root, 'series'), type: 'series', enabled: true },
    { path: join(root, 'music'), type: 'music', enabled: true },
    { path: join(root, 'books'), type: 'books', enabled: true },
  ];
  return { root, outside, folders };
}

async function waitForScan(t: TestApp, token: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 3000; i++) {
    const s = (await t.app.inject({ method: 'GET', url: '/api/scanner/status', headers: bearer(token) })).json() as Record<string, unknown>;
    if (s.status !== 'scanning') return s;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('scan did not finish');
}

for (const engine of sqlEngines()) {
  describe(`library scanner (${engine})`, () => {
    let t: TestApp | undefined;
    afterEach(async () => {
      await t?.close();
      t = undefined;
    });

    it('scans the media roots into library items and media_files, then rescans only what changed', async () => {
      t = await createTestApp({ engine });
      const tree = mediaTree(t.dir);
      await t.ctx.stores.settings.put('settings', { setupCompleted: true, mediaFolders: tree.folders });
      const admin = await registerAdmin(t.app);
      const user = await registerUser(t.app, admin.accessToken);
      const h = bearer(admin.accessToken);

      expect((await t.app.inject({ method: 'GET', url: '/api/scanner/status' })).statusCode).toBe(401);
      expect((await t.app.inject({ method: 'POST', url: '/api/scanner/start', payload: {}, headers: bearer(user.accessToken) })).statusCode).toBe(403);
      const idle = (await t.app.inject({ method: 'GET', url: '/api/scanner/status', headers: bearer(user.accessToken) })).json();
      expect(idle).toMatchObject({
        ok: true,
        status: 'idle',
        totalFiles: 0,
        scannedFiles: 0,
        currentPath: '',
        foundItems: 0,
        errors: [],
        startedAt: null,
        completedAt: null,
      });
      expect(Object.keys(idle).slice(0, 9)).toEqual([
        'ok',
        'status',
        'totalFiles',
        'scannedFiles',
        'currentPath',
        'foundItems',
        'errors',
        'startedAt',
        'completedAt',
      ]);

      // An existing item (same kind, other case) is matched, not duplicated.
      const existing = (await t.app.inject({ method: 'POST', url: '/api/library', payload: { kind: 'movie', title: 'heat' }, headers: h })).json().item;

      const started = await t.app.inject({ method: 'POST', url: '/api/scanner/start', payload: {}, headers: h });
      expect(started.statusCode).toBe(200);
      expect(started.json()).toMatchObject({ ok: true, message: 'Scan started', progress: { status: 'scanning' } });
      const done = await waitForScan(t, admin.accessToken);
      expect(done.status).toBe('completed');
      expect(done.foundItems).toBe(5);
      expect(done.changes).toEqual({ added: 7, changed: 0, unchanged: 0, missing: 0 });
      // Both symlinks out of the root (a file and a folder) are reported and never read.
      expect((done.errors as string[]).sort()).toEqual([
        `Outside the media folders (symlink): ${join(tree.root, 'movies', 'Secret.2001.1080p.mkv')}`,
        `Outside the media folders (symlink): ${join(tree.root, 'movies', 'escape')}`,
      ]);

      const items = (await t.app.inject({ method: 'GET', url: '/api/library', headers: h })).json().items as Record<string, unknown>[];
      const byTitle = new Map(items.map((i) => [`${i.kind}:${i.title}`, i]));
      expect([...byTitle.keys()].sort()).toEqual([
        'book:Frank Herbert - Dune',
        'movie:The Matrix',
        'movie:heat',
        'music:Pink Floyd - The Wall',
        'series:Breaking Bad',
      ]);
      expect(byTitle.get('movie:heat')!.id).toBe(existing.id);
      expect(byTitle.get('movie:The Matrix')).toMatchObject({
        year: 1999,
        quality: '720p',
        filePath: join(tree.root, 'movies', 'The.Matrix.1999.720p.WEB-DL.mp4'),
        fileSize: 12,
      });
      expect(byTitle.get('music:Pink Floyd - The Wall')).toMatchObject({ year: 1979, quality: 'FLAC' });
      expect(byTitle.get('book:Frank Herbert - Dune')).toMatchObject({ year: 1965, quality: 'EPUB' });

      const files = await t.ctx.services.scanner.files();
      expect(files.map((f) => f.path.slice(tree.root.length + 1))).toEqual([
        'books/Frank Herbert - Dune (1965).epub',
        'movies/Heat (1995)/Heat.1995.1080p.BluRay.x264-GRP.mkv',
        'movies/The.Matrix.1999.720p.WEB-DL.mp4',
        'music/Pink Floyd/The Wall (1979)/01 - In the Flesh.flac',
        'music/Pink Floyd/The Wall (1979)/02 - The Thin Ice.mp3',
        'series/Breaking Bad/Season 01/Breaking.Bad.S01E01.720p.HDTV.mkv',
        'series/Breaking Bad/Season 01/Breaking.Bad.S01E02.720p.HDTV.mkv',
      ]);
      expect(files.every((f) => f.status === 'present' && f.missingSince === null)).toBe(true);
      const bb = files.filter((f) => f.kind === 'series');
      expect(bb.map((f) => [f.parsed.season, f.parsed.episode, f.quality])).toEqual([
        [1, 1, '720p'],
        [1, 2, '720p'],
      ]);
      expect(new Set(bb.map((f) => f.itemId))).toEqual(new Set([byTitle.get('series:Breaking Bad')!.id]));
      expect(files.find((f) => f.path.endsWith('.flac'))).toMatchObject({
        size: 10,
        quality: 'FLAC',
        parsed: { artist: 'Pink Floyd', album: 'The Wall', track: 1 },
      });

      // Add an episode, modify a movie, delete the book: exactly those three changes.
      const ep3 = join(tree.root, 'series/Breaking Bad/Season 01/Breaking.Bad.S01E03.720p.HDTV.mkv');
      writeFileSync(ep3, 'bb-3');
      const matrix = join(tree.root, 'movies/The.Matrix.1999.720p.WEB-DL.mp4');
      appendFileSync(matrix, '-more');
      utimesSync(matrix, new Date('2030-01-01T00:00:00Z'), new Date('2030-01-01T00:00:00Z'));
      rmSync(join(tree.root, 'books/Frank Herbert - Dune (1965).epub'));
      expect((await t.app.inject({ method: 'POST', url: '/api/scanner/start', payload: {}, headers: h })).statusCode).toBe(200);
      const again = await waitForScan(t, admin.accessToken);
      expect(again.status).toBe('completed');
      expect(again.changes).toEqual({ added: 1, changed: 1, unchanged: 5, missing: 1 });
      const after = await t.ctx.services.scanner.files();
      expect(after).toHaveLength(8);
      expect(after.find((f) => f.path === ep3)).toMatchObject({ status: 'present', itemId: byTitle.get('series:Breaking Bad')!.id, parsed: { episode: 3 } });
      expect(after.find((f) => f.path === matrix)).toMatchObject({ size: 17, mtimeMs: Date.parse('2030-01-01T00:00:00Z') });
      const dune = after.find((f) => f.kind === 'book')!;
      expect(dune.status).toBe('missing');
      expect(dune.missingSince).toMatch(/^\d{4}-\d\d-\d\dT/);
      const stillThere = ((await t.app.inject({ method: 'GET', url: '/api/library', headers: h })).json().items as { title: string }[]).map((i) => i.title);
      expect(stillThere).toContain('Frank Herbert - Dune');
      expect(stillThere).toHaveLength(5);

      // A no-change rescan changes nothing.
      await t.app.inject({ method: 'POST', url: '/api/scanner/start', payload: {}, headers: h });
      expect((await waitForScan(t, admin.accessToken)).changes).toEqual({ added: 0, changed: 0, unchanged: 7, missing: 0 });
    });

    it('refuses folders outside the media roots with 403 and queues nothing', async () => {
      t = await createTestApp({ engine });
      const tree = mediaTree(t.dir);
      const admin = await registerAdmin(t.app);
      const h = bearer(admin.accessToken);
      const none = await t.app.inject({ method: 'POST', url: '/api/scanner/start', payload: {}, headers: h });
      expect(none.statusCode).toBe(400);
      expect(none.json()).toEqual({ ok: false, error: 'No folders configured for scanning' });

      await t.ctx.stores.settings.put('settings', { mediaFolders: tree.folders });
      const escapes = [
        tree.outside,
        join(tree.root, 'movies', '..', '..', 'outside'),
        join(tree.root, 'movies', 'escape'),
        join(tree.root, 'movies', 'escape', 'sub'),
        'media/movies',
        '/',
      ];
      for (const path of escapes) {
        const res = await t.app.inject({ method: 'POST', url: '/api/scanner/start', payload: { folders: [{ path, type: 'movies' }] }, headers: h });
        expect({ path, status: res.statusCode }).toEqual({ path, status: 403 });
        expect(res.json()).toMatchObject({ ok: false, error: 'path_not_allowed' });
      }
      const bad = await t.app.inject({ method: 'POST', url: '/api/scanner/start', payload: { folders: [{ path: tree.root, type: 'films' }] }, headers: h });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toContain('folders.0.type');
      const status = (await t.app.inject({ method: 'GET', url: '/api/scanner/status', headers: h })).json();
      expect(status.status).toBe('idle');
      const queued = await t.ctx.db.kysely.selectFrom('jobs').select('id').where('type', '=', 'media-scan').execute();
      expect(queued).toEqual([]);
      const stop = await t.app.inject({ method: 'POST', url: '/api/scanner/stop', headers: h });
      expect(stop.statusCode).toBe(409);
      expect(stop.json()).toEqual({ ok: false, error: 'No scan in progress' });

      // A configured root that is gone: not accessible (400), nothing queued.
      await t.ctx.stores.settings.put('settings', { mediaFolders: [{ path: join(t.dir, 'gone'), type: 'movies' }] });
      const gone = await t.app.inject({ method: 'POST', url: '/api/scanner/start', payload: {}, headers: h });
      expect(gone.statusCode).toBe(400);
      expect(gone.json()).toEqual({ ok: false, error: `Folder not accessible: ${join(t.dir, 'gone')}` });
      expect((await t.app.inject({ method: 'GET', url: '/api/scanner/status', headers: h })).json().status).toBe('idle');

      // A sub-folder inside a root is scanned alone.
      await t.ctx.stores.settings.put('settings', { mediaFolders: tree.folders });
      const sub = await t.app.inject({
        method: 'POST',
        url: '/api/scanner/start',
        payload: { folders: [{ path: join(tree.root, 'movies', 'Heat (1995)'), type: 'movies' }] },
        headers: h,
      });
      expect(sub.statusCode).toBe(200);
      expect((await waitForScan(t, admin.accessToken)).changes).toEqual({ added: 1, changed: 0, unchanged: 0, missing: 0 });
      expect((await t.ctx.services.scanner.files()).map((f) => f.parsed.title)).toEqual(['Heat']);
    });

    it('previews a folder and the whole library read-only; rescan scans one folder; paths outside are 403', async () => {
      t = await createTestApp({ engine });
      const tree = mediaTree(t.dir);
      await t.ctx.stores.settings.put('settings', { mediaFolders: tree.folders });
      const admin = await registerAdmin(t.app);
      const user = await registerUser(t.app, admin.accessToken);
      const u = bearer(user.accessToken);

      const folder = await t.app.inject({ method: 'POST', url: '/api/scanner/preview', payload: { path: join(tree.root, 'series') }, headers: u });
      expect(folder.statusCode).toBe(200);
      const body = folder.json();
      expect(body.count).toBe(2);
      expect(body.files[0]).toEqual({
        path: join(tree.root, 'series/Breaking Bad/Season 01/Breaking.Bad.S01E01.720p.HDTV.mkv'),
        filename: 'Breaking.Bad.S01E01.720p.HDTV.mkv',
        parsed: {
          type: 'series',
          title: 'Breaking Bad',
          extension: 'mkv',
          originalFilename: 'Breaking.Bad.S01E01.720p.HDTV.mkv',
          quality: '720p',
          source: 'tv',
          season: 1,
          episode: 1,
        },
        size: 4,
      });
      for (const path of [join(tree.root, 'movies', '..', '..', 'outside'), join(tree.root, 'movies', 'escape'), tree.outside, '../outside']) {
        const res = await t.app.inject({ method: 'POST', url: '/api/scanner/preview', payload: { path }, headers: u });
        expect({ path, status: res.statusCode, body: res.json().error }).toEqual({ path, status: 403, body: 'path_not_allowed' });
      }
      // "%2e%2e" is not decoded in a JSON body: a folder of that name inside the root, which does not exist.
      const encoded = join(tree.root, 'movies', '%2e%2e', '%2e%2e', 'outside');
      const enc = await t.app.inject({ method: 'POST', url: '/api/scanner/preview', payload: { path: encoded }, headers: u });
      expect(enc.statusCode).toBe(400);
      expect(enc.json()).toEqual({ ok: false, error: `Path not accessible: ${encoded}` });

      const whole = (await t.app.inject({ method: 'GET', url: '/api/scanner/preview', headers: u })).json();
      expect(whole.count).toBe(5);
      expect(whole.items.map((i: { title: string }) => i.title).sort()).toEqual([
        'Breaking Bad',
        'Frank Herbert - Dune',
        'Heat',
        'Pink Floyd - The Wall',
        'The Matrix',
      ]);
      expect(whole.items.find((i: { title: string }) => i.title === 'Pink Floyd - The Wall').metadata).toEqual({
        originalFilename: '01 - In the Flesh.flac',
        artist: 'Pink Floyd',
        album: 'The Wall',
        track: 1,
      });
      expect((await t.app.inject({ method: 'GET', url: '/api/library', headers: u })).json().items).toEqual([]);
      expect(await t.ctx.services.scanner.files()).toEqual([]);

      expect(
        (await t.app.inject({ method: 'POST', url: '/api/scanner/rescan', payload: { path: join(tree.root, 'books'), type: 'books' }, headers: u })).statusCode,
      ).toBe(403);
      const rescan = await t.app.inject({
        method: 'POST',
        url: '/api/scanner/rescan',
        payload: { path: join(tree.root, 'books'), type: 'books' },
        headers: bearer(admin.accessToken),
      });
      expect(rescan.json()).toMatchObject({ ok: true, message: 'Rescan started', progress: { status: 'scanning' } });
      expect((await waitForScan(t, admin.accessToken)).changes).toEqual({ added: 1, changed: 0, unchanged: 0, missing: 0 });
      const outside = await t.app.inject({
        method: 'POST',
        url: '/api/scanner/rescan',
        payload: { path: tree.outside, type: 'movies' },
        headers: bearer(admin.accessToken),
      });
      expect(outside.statusCode).toBe(403);
    });

    it('matches by kind, title and year: the same title with another year becomes "<title> (<year>)"', async () => {
      t = await createTestApp({ engine });
      const tree = mediaTree(t.dir);
      await t.ctx.stores.settings.put('settings', { mediaFolders: [tree.folders[0]] });
      await t.ctx.stores.library.create({ id: 'old-matrix', kind: 'movie', title: 'The Matrix', year: 1970 }, '2024-01-01T00:00:00.000Z');
      await t.ctx.stores.library.create({ id: 'heat-95', kind: 'movie', title: 'HEAT', year: 1995 }, '2024-01-01T00:00:00.000Z');
      const admin = await registerAdmin(t.app);
      const h = bearer(admin.accessToken);
      await t.app.inject({ method: 'POST', url: '/api/scanner/start', payload: {}, headers: h });
      expect((await waitForScan(t, admin.accessToken)).status).toBe('completed');
      const items = (await t.app.inject({ method: 'GET', url: '/api/library', headers: h })).json().items as { id: string; title: string; year?: number }[];
      expect(items.map((i) => [i.title, i.year])).toEqual([
        ['The Matrix', 1970],
        ['HEAT', 1995],
        ['The Matrix (1999)', 1999],
      ]);
      const files = await t.ctx.services.scanner.files();
      expect(files.find((f) => f.parsed.title === 'Heat')!.itemId).toBe('heat-95');
      expect(files.find((f) => f.parsed.title === 'The Matrix')!.itemId).toBe(items[2]!.id);
    });

    it('the onboarding scan queues a real scan of the configured folders', async () => {
      t = await createTestApp({ engine });
      const tree = mediaTree(t.dir);
      const admin = await registerAdmin(t.app);
      const h = bearer(admin.accessToken);
      const setup = await t.app.inject({
        method: 'POST',
        url: '/api/onboarding/setup',
        payload: { folders: [{ path: join(tree.root, 'movies'), type: 'movies' }] },
        headers: h,
      });
      expect(setup.json()).toEqual({ success: true, message: 'Folders saved' });
      const scan = await t.app.inject({ method: 'POST', url: '/api/onboarding/scan', payload: {}, headers: h });
      expect(scan.json()).toEqual({ success: true, message: 'Scan started' });
      expect((await waitForScan(t, admin.accessToken)).status).toBe('completed');
      expect((await t.app.inject({ method: 'GET', url: '/api/onboarding/status', headers: h })).json()).toEqual({
        scanning: false,
        progress: 100,
        currentFile: null,
      });
      const titles = ((await t.app.inject({ method: 'GET', url: '/api/library', headers: h })).json().items as { title: string }[]).map((i) => i.title).sort();
      expect(titles).toEqual(['Heat', 'The Matrix']);
    });
  });
}

describe('scanner stop', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  it('a stopped scan ends failed with "Scan aborted" and records nothing, marks nothing missing', async () => {
    const t = await createTestApp();
    cleanups.push(() => t.close());
    const tree = mediaTree(t.dir);
    await t.ctx.stores.settings.put('settings', { mediaFolders: tree.folders });
    // A second scanner whose queue lives in a database no worker reads: its job runs only when this test says.
    const qdb = await createTestDatabase('sqlite');
    cleanups.push(() => qdb.cleanup());
    const queue = createJobQueue({ sql: createJobsSql(qdb.db.kysely, qdb.db.engine) });
    const scanner = createScannerService({
      settings: t.ctx.stores.settings,
      library: t.ctx.stores.library,
      files: createMediaFilesSql(t.ctx.db.kysely),
      queue,
      now: () => new Date(),
    });

    expect((await scanner.start({})).status).toBe('scanning');
    await expect(scanner.start({})).rejects.toMatchObject({ status: 409, code: 'Scan already in progress' });
    await expect(scanner.previewItems()).rejects.toMatchObject({ status: 409, code: 'Scan in progress - cannot preview' });
    scanner.stop();
    const job = await qdb.db.kysely.selectFrom('jobs').selectAll().executeTakeFirstOrThrow();
    expect(job.type).toBe('media-scan');
    const record = (await queue.get(job.id))!;
    const done = await scanner.runJob(record.payload, { job: record, signal: new AbortController().signal });
    expect(done).toMatchObject({ status: 'failed', errors: ['Scan aborted'], changes: { added: 0, changed: 0, unchanged: 0, missing: 0 } });
    expect(scanner.status().status).toBe('failed');
    expect(await scanner.files()).toEqual([]);
    expect(() => scanner.stop()).toThrow('No scan in progress');
  });
});
