import { lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMediaFilesSql } from '../../src/media/media-files.sql.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import { sqlEngines } from '../helpers/engines.js';

/** Every folder, file (with content and mtime) and symlink under `dir`, sorted: "the tree". */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const rel = p.slice(dir.length);
      if (e.isSymbolicLink()) out.push(`L ${rel}`);
      else if (e.isDirectory()) {
        out.push(`D ${rel}`);
        walk(p);
      } else out.push(`F ${rel} ${readFileSync(p, 'utf8')} ${Math.floor(statSync(p).mtimeMs)}`);
    }
  };
  walk(dir);
  return out.sort();
}

function tree(base: string) {
  const root = join(base, 'media');
  const outside = join(base, 'outside');
  const files: Record<string, string> = {
    'incoming/movies/Heat.1995.1080p.BluRay.x264-GRP/Heat.1995.1080p.BluRay.x264-GRP.mkv': 'heat',
    'incoming/movies/The.Matrix.1999.720p.WEB-DL.mp4': 'matrix',
    'incoming/movies/Alien.1979.2160p.UHD.mkv': 'alien',
    'incoming/series/Breaking Bad/Season 1/Breaking.Bad.S01E01.720p.HDTV.mkv': 'bb1',
    'incoming/series/Breaking Bad/Season 1/Breaking.Bad.S01E02.720p.HDTV.mkv': 'bb2',
    // Already there: Alien's destination is taken, so Alien is a conflict and never overwritten.
    'library/Movies/Alien (1979)/Alien (1979) [2160p].mkv': 'someone else',
  };
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), body);
  }
  mkdirSync(outside, { recursive: true });
  symlinkSync(outside, join(root, 'library', 'escape'));
  const folders = [
    { path: join(root, 'incoming', 'movies'), type: 'movies' },
    { path: join(root, 'incoming', 'series'), type: 'series' },
    { path: join(root, 'library'), type: 'movies' },
  ];
  return { root, outside, folders, destinations: { movies: join(root, 'library', 'Movies'), series: join(root, 'library', 'TV') } };
}

async function until(t: TestApp, token: string, url: string, done: (b: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  for (let i = 0; i < 3000; i++) {
    const b = (await t.app.inject({ method: 'GET', url, headers: bearer(token) })).json() as Record<string, unknown>;
    if (done(b)) return b;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${url} did not settle`);
}

const settled = (b: Record<string, unknown>) => b.status !== 'organizing';

for (const engine of sqlEngines()) {
  describe(`organizer runs (${engine})`, () => {
    let t: TestApp | undefined;
    afterEach(async () => {
      await t?.close();
      t = undefined;
    });

    async function setup() {
      t = await createTestApp({ engine });
      const tr = tree(t.dir);
      // The library root is not scanned here: only the incoming files are organized.
      await t.ctx.stores.settings.put('settings', { setupCompleted: true, mediaFolders: tr.folders });
      const admin = await registerAdmin(t.app);
      const user = await registerUser(t.app, admin.accessToken);
      const h = bearer(admin.accessToken);
      const app = t.app;
      const scan = await app.inject({ method: 'POST', url: '/api/scanner/start', payload: { folders: tr.folders.slice(0, 2) }, headers: h });
      expect(scan.statusCode).toBe(200);
      await until(t, admin.accessToken, '/api/scanner/status', (b) => b.status !== 'scanning');
      return { tr, admin, user, h, app };
    }

    it('previews, applies a move (journal), and undo leaves the tree exactly as it was', async () => {
      const { tr, admin, user, h, app } = await setup();
      const before = snapshot(tr.root);
      const L = join(tr.root, 'library');

      expect((await app.inject({ method: 'GET', url: '/api/organizer/status' })).statusCode).toBe(401);
      expect((await app.inject({ method: 'GET', url: '/api/organizer/status', headers: bearer(user.accessToken) })).json()).toMatchObject({
        ok: true,
        status: 'idle',
        totalFiles: 0,
        runId: null,
      });

      const preview = await app.inject({
        method: 'POST',
        url: '/api/organizer/preview',
        payload: { destinations: tr.destinations, operation: 'move' },
        headers: bearer(user.accessToken),
      });
      expect(preview.statusCode).toBe(200);
      const items = preview.json().items as { source: string; destination: string; status: string; error?: string }[];
      expect(preview.json().totalItems).toBe(5);
      const bySource = new Map(items.map((i) => [i.source.slice(tr.root.length), i]));
      expect(bySource.get('/incoming/movies/Heat.1995.1080p.BluRay.x264-GRP/Heat.1995.1080p.BluRay.x264-GRP.mkv')).toEqual({
        source: join(tr.root, 'incoming/movies/Heat.1995.1080p.BluRay.x264-GRP/Heat.1995.1080p.BluRay.x264-GRP.mkv'),
        destination: join(L, 'Movies/Heat (1995)/Heat (1995) [1080p].mkv'),
        operation: 'move',
        status: 'pending',
      });
      expect(bySource.get('/incoming/series/Breaking Bad/Season 1/Breaking.Bad.S01E02.720p.HDTV.mkv')?.destination).toBe(
        join(L, 'TV/Breaking Bad/Season 01/Breaking Bad - S01E02 [720p].mkv'),
      );
      expect(bySource.get('/incoming/movies/Alien.1979.2160p.UHD.mkv')).toMatchObject({
        status: 'conflict',
        error: `destination exists: ${join(L, 'Movies/Alien (1979)/Alien (1979) [2160p].mkv')}`,
      });
      // A preview changes nothing.
      expect(snapshot(tr.root)).toEqual(before);

      // Only an admin starts; dryRun defaults to true and changes nothing either.
      expect(
        (await app.inject({ method: 'POST', url: '/api/organizer/start', payload: { destinations: tr.destinations }, headers: bearer(user.accessToken) }))
          .statusCode,
      ).toBe(403);
      const dry = await app.inject({ method: 'POST', url: '/api/organizer/start', payload: { destinations: tr.destinations, operation: 'move' }, headers: h });
      expect(dry.json()).toMatchObject({ ok: true, message: 'Dry run started' });
      const dryDone = await until(t!, admin.accessToken, '/api/organizer/status', settled);
      expect(dryDone).toMatchObject({ status: 'completed', dryRun: true, totalFiles: 5, successCount: 4, skipCount: 1 });
      expect(snapshot(tr.root)).toEqual(before);

      const start = await app.inject({
        method: 'POST',
        url: '/api/organizer/start',
        payload: { destinations: tr.destinations, operation: 'move', dryRun: false },
        headers: h,
      });
      expect(start.statusCode).toBe(200);
      expect(start.json()).toMatchObject({ ok: true, message: 'Organization started' });
      const runId = start.json().runId as string;
      const done = await until(t!, admin.accessToken, '/api/organizer/status', settled);
      expect(done).toMatchObject({ status: 'completed', runId, totalFiles: 5, processedFiles: 5, successCount: 4, skipCount: 1, errorCount: 0 });
      expect(done.errors).toEqual([
        `${join(tr.root, 'incoming/movies/Alien.1979.2160p.UHD.mkv')}: destination exists: ${join(L, 'Movies/Alien (1979)/Alien (1979) [2160p].mkv')}`,
      ]);

      const after = snapshot(tr.root);
      expect(readFileSync(join(L, 'Movies/Heat (1995)/Heat (1995) [1080p].mkv'), 'utf8')).toBe('heat');
      expect(readFileSync(join(L, 'Movies/Alien (1979)/Alien (1979) [2160p].mkv'), 'utf8')).toBe('someone else');
      // Moved away, and the emptied release folder and season/show folders were removed.
      expect(after.some((l) => l.startsWith('D /incoming/movies/Heat.1995'))).toBe(false);
      expect(after.some((l) => l.startsWith('D /incoming/series/Breaking Bad'))).toBe(false);
      expect(after).toContain(
        'F /incoming/movies/Alien.1979.2160p.UHD.mkv alien ' +
          before
            .find((l) => l.includes('Alien.1979'))!
            .split(' ')
            .pop(),
      );
      // The scanner's rows followed the moved files.
      const rows = await createMediaFilesSql(t!.ctx.db.kysely).list();
      expect(rows.map((r) => r.path)).toContain(join(L, 'Movies/Heat (1995)/Heat (1995) [1080p].mkv'));

      const run = (await app.inject({ method: 'GET', url: `/api/organizer/runs/${runId}`, headers: h })).json().run;
      expect(run.journal).toHaveLength(4);
      expect(run.journal.every((e: { status: string }) => e.status === 'applied')).toBe(true);

      // Undo (the newest run with changes), then the tree is exactly as before.
      expect((await app.inject({ method: 'POST', url: '/api/organizer/undo', payload: {}, headers: bearer(user.accessToken) })).statusCode).toBe(403);
      const undo = await app.inject({ method: 'POST', url: '/api/organizer/undo', payload: {}, headers: h });
      expect(undo.json()).toMatchObject({ ok: true, runId, message: 'Undo started' });
      const undone = await until(t!, admin.accessToken, `/api/organizer/runs/${runId}`, (b) => (b.run as { status: string }).status !== 'undoing');
      expect((undone.run as { status: string }).status).toBe('undone');
      expect(snapshot(tr.root)).toEqual(before);
      const rowsBack = await createMediaFilesSql(t!.ctx.db.kysely).list();
      expect(rowsBack.map((r) => r.path)).toContain(join(tr.root, 'incoming/movies/Heat.1995.1080p.BluRay.x264-GRP/Heat.1995.1080p.BluRay.x264-GRP.mkv'));
      // Nothing is left to undo.
      expect((await app.inject({ method: 'POST', url: '/api/organizer/undo', payload: { runId }, headers: h })).json()).toMatchObject({ ok: false });
    });

    it('pages the preview with ?limit&cursor: the pages join to the whole answer (renames included); without them the whole answer', async () => {
      const { tr, user, app } = await setup();
      const payload = { destinations: tr.destinations, operation: 'copy', conflictResolution: 'rename' };
      const headers = bearer(user.accessToken);
      const whole = (await app.inject({ method: 'POST', url: '/api/organizer/preview', payload, headers })).json();
      expect(whole.nextCursor).toBeUndefined();
      expect(whole.totalItems).toBe(5);
      const bySource = [...whole.items].sort((a: { source: string }, b: { source: string }) => (a.source < b.source ? -1 : 1));
      const pages: { items: unknown[]; nextCursor: string | null; totalItems: number }[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/api/organizer/preview?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const res = await app.inject({ method: 'POST', url, payload, headers });
        expect(res.statusCode).toBe(200);
        const page = res.json();
        pages.push(page);
        cursor = page.nextCursor;
      } while (cursor !== null && pages.length < 10);
      expect(pages.map((p) => [p.items.length, p.totalItems])).toEqual([
        [2, 5],
        [2, 5],
        [1, 5],
      ]);
      expect(pages.flatMap((p) => p.items)).toEqual(bySource);
      expect(bySource.find((i: { destination: string }) => i.destination.endsWith('Alien (1979) [2160p] (2).mkv'))).toBeDefined();
      const bad = await app.inject({ method: 'POST', url: '/api/organizer/preview?cursor=bm90LWEtY3Vyc29y', payload, headers });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toContain('cursor');
      expect((await app.inject({ method: 'POST', url: '/api/organizer/preview?limit=0', payload, headers })).statusCode).toBe(400);
    });

    it('hardlinks (same inode) with rename on conflict; undo keeps a destination that changed since', async () => {
      const { tr, admin, h, app } = await setup();
      const before = snapshot(tr.root);
      const L = join(tr.root, 'library');
      const start = await app.inject({
        method: 'POST',
        url: '/api/organizer/start',
        payload: { destinations: tr.destinations, operation: 'hardlink', conflictResolution: 'rename', dryRun: false },
        headers: h,
      });
      const runId = start.json().runId as string;
      const done = await until(t!, admin.accessToken, '/api/organizer/status', settled);
      expect(done).toMatchObject({ status: 'completed', successCount: 5, skipCount: 0, errorCount: 0 });
      const renamed = join(L, 'Movies/Alien (1979)/Alien (1979) [2160p] (2).mkv');
      expect(readFileSync(renamed, 'utf8')).toBe('alien');
      expect(lstatSync(renamed).ino).toBe(lstatSync(join(tr.root, 'incoming/movies/Alien.1979.2160p.UHD.mkv')).ino);
      expect(readFileSync(join(L, 'Movies/Alien (1979)/Alien (1979) [2160p].mkv'), 'utf8')).toBe('someone else');

      // Someone edits one organized file: undo leaves that one (named), undoes the rest.
      const edited = join(L, 'Movies/The Matrix (1999)/The Matrix (1999) [720p].mp4');
      writeFileSync(join(L, 'Movies/extra.txt'), 'x');
      const matrixBefore = readFileSync(edited, 'utf8');
      expect(matrixBefore).toBe('matrix');
      // A hardlink shares content with its source: edit through a new file instead (replace the link).
      const { unlinkSync } = await import('node:fs');
      unlinkSync(edited);
      writeFileSync(edited, 'replaced by hand');
      await app.inject({ method: 'POST', url: '/api/organizer/undo', payload: { runId }, headers: h });
      const after = await until(t!, admin.accessToken, `/api/organizer/runs/${runId}`, (b) => (b.run as { status: string }).status !== 'undoing');
      const r = after.run as { status: string; errors: string[]; journal: { status: string; error: string | null }[] };
      expect(r.status).toBe('completed');
      expect(r.journal.filter((e) => e.status === 'undone')).toHaveLength(4);
      expect(r.journal.filter((e) => e.status === 'undo_failed').map((e) => e.error)).toEqual([
        `${edited} changed or vanished since it was organized; left as it is`,
      ]);
      expect(readFileSync(edited, 'utf8')).toBe('replaced by hand');
      unlinkSync(edited);
      unlinkSync(join(L, 'Movies/extra.txt'));
      const { rmdirSync } = await import('node:fs');
      rmdirSync(dirname(edited));
      expect(snapshot(tr.root)).toEqual(before);
    });

    it('copies (a file of its own, times kept) and undo removes exactly the copies', async () => {
      const { tr, admin, h, app } = await setup();
      const before = snapshot(tr.root);
      const L = join(tr.root, 'library');
      const start = await app.inject({
        method: 'POST',
        url: '/api/organizer/start',
        payload: { destinations: { movies: tr.destinations.movies }, operation: 'copy', dryRun: false },
        headers: h,
      });
      const runId = start.json().runId as string;
      expect(await until(t!, admin.accessToken, '/api/organizer/status', settled)).toMatchObject({
        status: 'completed',
        operation: 'copy',
        successCount: 2,
        skipCount: 1,
      });
      const copy = join(L, 'Movies/The Matrix (1999)/The Matrix (1999) [720p].mp4');
      const source = join(tr.root, 'incoming/movies/The.Matrix.1999.720p.WEB-DL.mp4');
      expect(readFileSync(copy, 'utf8')).toBe('matrix');
      expect(lstatSync(copy).ino).not.toBe(lstatSync(source).ino);
      expect(Math.floor(lstatSync(copy).mtimeMs)).toBe(Math.floor(lstatSync(source).mtimeMs));
      await app.inject({ method: 'POST', url: '/api/organizer/undo', payload: { runId }, headers: h });
      const r = await until(t!, admin.accessToken, `/api/organizer/runs/${runId}`, (b) => (b.run as { status: string }).status !== 'undoing');
      expect((r.run as { status: string }).status).toBe('undone');
      expect(snapshot(tr.root)).toEqual(before);
      const runs = (await app.inject({ method: 'GET', url: '/api/organizer/runs?limit=5', headers: h })).json();
      expect(runs).toMatchObject({ ok: true, count: 1, runs: [{ id: runId, status: 'undone', operation: 'copy' }] });
      expect((await app.inject({ method: 'GET', url: '/api/organizer/runs?limit=0', headers: h })).statusCode).toBe(400);
    });

    it('refuses destinations outside the media roots (.., absolute, symlink) and bad input, changing nothing', async () => {
      const { tr, h, app } = await setup();
      const before = snapshot(tr.root);
      const outsideBefore = snapshot(tr.outside);
      const L = join(tr.root, 'library');
      for (const movies of [join(L, '..', '..', 'outside'), tr.outside, join(L, 'escape'), join(L, 'escape', 'deeper'), '/etc', 'relative/path']) {
        for (const url of ['/api/organizer/preview', '/api/organizer/start']) {
          const res = await app.inject({ method: 'POST', url, payload: { destinations: { movies }, dryRun: false }, headers: h });
          expect(res.statusCode, `${url} ${movies}`).toBe(403);
          expect(res.json()).toMatchObject({ ok: false, error: 'path_not_allowed', message: expect.stringContaining('destinations.movies') });
        }
      }
      const bad = [
        [{}, 'destinations: is required'],
        [{ destinations: tr.destinations, conflictResolution: 'overwrite' }, 'conflictResolution: must be skip or rename'],
        [{ destinations: tr.destinations, operation: 'symlink' }, 'operation: must be one of move, copy, hardlink'],
        [{ destinations: { movies: '' } }, 'destinations.movies: must not be empty'],
        [{ destinations: {} }, 'destinations: no destination folder set'],
        [
          { destinations: { movies: join(L, 'Movies', 'Alien (1979)', 'Alien (1979) [2160p].mkv') } },
          'destinations.movies: Destination not accessible (not a directory)',
        ],
      ] as const;
      for (const [payload, msg] of bad) {
        const res = await app.inject({ method: 'POST', url: '/api/organizer/start', payload, headers: h });
        expect(res.statusCode, JSON.stringify(payload)).toBe(400);
        expect(res.json().error).toContain(msg);
      }
      expect((await app.inject({ method: 'POST', url: '/api/organizer/undo', payload: { runId: '../x' }, headers: h })).json().error).toContain(
        'runId: must be a run id',
      );
      expect((await app.inject({ method: 'POST', url: '/api/organizer/undo', payload: {}, headers: h })).statusCode).toBe(404);
      expect((await app.inject({ method: 'POST', url: '/api/organizer/stop', headers: h })).json()).toEqual({
        ok: false,
        error: 'No organization in progress',
      });
      expect((await app.inject({ method: 'GET', url: '/api/organizer/runs/nope', headers: h })).statusCode).toBe(404);
      expect(snapshot(tr.root)).toEqual(before);
      expect(snapshot(tr.outside)).toEqual(outsideBefore);
    });

    it('renders sample names (test-naming) without touching the disk', async () => {
      t = await createTestApp({ engine });
      const admin = await registerAdmin(t.app);
      const h = bearer(admin.accessToken);
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/organizer/test-naming',
        payload: { type: 'series', sampleData: { title: 'Star: Trek?', season: 2, episode: 5, episodeTitle: 'The Doomsday Machine', quality: '1080p' } },
        headers: h,
      });
      expect(res.json()).toEqual({
        ok: true,
        input: { type: 'series', sampleData: { title: 'Star: Trek?', season: 2, episode: 5, episodeTitle: 'The Doomsday Machine', quality: '1080p' } },
        output: {
          folderPath: '/media/Star Trek/Season 02',
          filename: 'Star Trek - S02E05 - The Doomsday Machine [1080p].mkv',
          fullPath: '/media/Star Trek/Season 02/Star Trek - S02E05 - The Doomsday Machine [1080p].mkv',
        },
      });
      const movie = await t.app.inject({
        method: 'POST',
        url: '/api/organizer/test-naming',
        payload: { type: 'movie', sampleData: { title: '../../etc', extension: 'mp4' }, destinationRoot: '/m' },
        headers: h,
      });
      // Separators never survive into a name: the title stays one folder and one file name.
      expect(movie.json().output).toEqual({ folderPath: '/m/.. .. etc', filename: '.. .. etc.mp4', fullPath: '/m/.. .. etc/.. .. etc.mp4' });
      const book = await t.app.inject({
        method: 'POST',
        url: '/api/organizer/test-naming',
        payload: { type: 'book', sampleData: { title: 'Dune', author: 'Frank Herbert', extension: '.epub' } },
        headers: h,
      });
      expect(book.json().output.fullPath).toBe('/media/Frank Herbert/Dune.epub');
      const music = await t.app.inject({
        method: 'POST',
        url: '/api/organizer/test-naming',
        payload: { type: 'music', sampleData: { title: 'Money', artist: 'Pink Floyd', album: 'The Dark Side of the Moon', track: 6, extension: '.flac' } },
        headers: h,
      });
      expect(music.json().output.fullPath).toBe('/media/Pink Floyd/The Dark Side of the Moon/06 - Money.flac');
      const bad = await t.app.inject({ method: 'POST', url: '/api/organizer/test-naming', payload: { type: 'film', sampleData: {} }, headers: h });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toContain('type: must be one of series, movie, music, book');
    });
  });
}
