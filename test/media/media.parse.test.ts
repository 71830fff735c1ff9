import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRelease } from '../../src/automation/release-parse.js';
import { type FileNameFacts, fileNameFacts, parseMediaFile } from '../../src/media/media.parse.js';
import { folderKind, mediaRootProblem, mediaRoots } from '../../src/settings/media-roots.js';
import { tempDir } from '../helpers/engines.js';

describe('media file names to items', () => {
  it('reads movies from the file name, or title and year from their folder', () => {
    expect(parseMediaFile('movie', '/m', '/m/Heat (1995)/Heat.1995.1080p.BluRay.x264-GRP.mkv')?.item).toEqual({ kind: 'movie', title: 'Heat', year: 1995 });
    expect(parseMediaFile('movie', '/m', '/m/Alien (1979)/alien.mkv')).toEqual({
      parsed: { type: 'movie', title: 'Alien', year: 1979, extension: 'mkv', originalFilename: 'alien.mkv' },
      item: { kind: 'movie', title: 'Alien', year: 1979 },
    });
    expect(parseMediaFile('movie', '/m', '/m/Heat (1995)/Heat.1995.sample.mkv')).toBeUndefined();
    expect(parseMediaFile('movie', '/m', '/m/Heat (1995)/Heat.1995.nfo')).toBeUndefined();
  });

  it('groups a series by its show folder, with season and episode per file', () => {
    const a = parseMediaFile('series', '/s', '/s/The Office (2005)/Season 02/The.Office.US.S02E01.720p.mkv')!;
    expect(a.item).toEqual({ kind: 'series', title: 'The Office', year: 2005 });
    expect([a.parsed.season, a.parsed.episode, a.parsed.quality]).toEqual([2, 1, '720p']);
  });

  it('reads albums from Artist/Album or "Artist - Album" folders, books from "Author - Title"', () => {
    expect(parseMediaFile('music', '/a', '/a/Pink Floyd/The Wall (1979)/01 - In the Flesh.flac')?.item).toEqual({
      kind: 'music',
      title: 'Pink Floyd - The Wall',
      year: 1979,
    });
    expect(parseMediaFile('music', '/a', '/a/Miles Davis - Kind of Blue/02 So What.mp3')?.parsed).toMatchObject({
      artist: 'Miles Davis',
      album: 'Kind of Blue',
      track: 2,
      title: 'So What',
      quality: 'MP3',
    });
    expect(parseMediaFile('book', '/b', '/b/Frank Herbert - Dune (1965).epub')?.item).toEqual({ kind: 'book', title: 'Frank Herbert - Dune', year: 1965 });
    expect(parseMediaFile('book', '/b', '/b/Tolkien/The Hobbit.epub')?.item).toEqual({ kind: 'book', title: 'Tolkien - The Hobbit' });
    expect(parseMediaFile('book', '/b', '/b/cover.jpg')).toBeUndefined();
  });
});

describe('media roots', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    while (cleanups.length) cleanups.pop()!();
  });

  it('maps the legacy folder types to library kinds; malformed entries are skipped', () => {
    expect(
      mediaRoots({
        mediaFolders: [
          { path: '/m', type: 'movies' },
          { path: '/b', type: 'book' },
          { path: '/x', type: 'weird' },
          { path: 'rel', type: 'music' },
          null,
          { type: 'series' },
        ],
      }),
    ).toEqual([
      { path: '/m', type: 'movies', kind: 'movie' },
      { path: '/b', type: 'books', kind: 'book' },
      { path: '/x', type: 'movies', kind: 'movie' },
    ]);
    expect(folderKind('TV')).toEqual({ type: 'series', kind: 'series' });
  });

  it('validates a root: exists, is a folder, readable, writable when organizing', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    writeFileSync(join(dir, 'file'), 'x');
    expect(await mediaRootProblem(dir)).toBeUndefined();
    expect(await mediaRootProblem(dir, { writable: true })).toBeUndefined();
    expect(await mediaRootProblem(join(dir, 'gone'))).toBe('does not exist');
    expect(await mediaRootProblem(join(dir, 'file'))).toBe('not a directory');
    chmodSync(ro, 0o500);
    cleanups.push(() => chmodSync(ro, 0o700));
    // root ignores permission bits; the check is only meaningful for another user.
    if (process.getuid?.() !== 0) expect(await mediaRootProblem(ro, { writable: true })).toBe('not readable and writable');
    expect(await mediaRootProblem(ro)).toBeUndefined();
  });
});

describe('fileNameFacts: the scanner reads only what it keeps, with the release parser answer', () => {
  /** Release and file names used across the tests (string literals with a resolution, a season or a year), plus hard cases. */
  function corpus(): string[] {
    const names = new Set<string>([
      'Heat.1995.1080p.BluRay.x264-GRP',
      'The.Office.US.S02E01.720p',
      'Dark.S01E01-E02.1080p.NF.WEB-DL.DDP5.1.H.264',
      'Show.2019.S03.COMPLETE.2160p.WEB.H265',
      'Movie.Title.2010.DVDRip.XviD',
      'Some.Film.DVD9',
      'alien',
      'Alien Resurrection (1997) [1080p]',
      'Doctor.Who.2005.S13E00.Special.720p.HDTV',
      'Seinfeld - S05E12 - The Stall',
      'Series Name - 1x05 - Episode Title',
      'Blade.Runner.2049.2017.2160p.UHD.BluRay.REMUX.HDR.HEVC.Atmos-GRP',
      'The.Matrix.1999.Directors.Cut.720p.WEB-DL.mp4',
      '2001.A.Space.Odyssey.1968.1080p',
      '1917.2019.1080p.BluRay',
      'Show.S1',
      'S01E01',
      'Cam.Movie.2023.HDCAM.x264',
      'Film.2020.TELESYNC',
      'Anime Show - 05 [1080p]',
      '[Group] Anime Show - 12 (1080p) [ABCDEF12]',
      'Show.Name.2024.03.15.720p.HDTV',
    ]);
    const dirs = ['test/media', 'test/automation', 'test/indexer-clients', 'test/grabs', 'test/wanted'];
    for (const dir of dirs)
      for (const f of readdirSync(dir))
        if (f.endsWith('.ts'))
          for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/'([^'\n]{4,120})'/g)) {
            const v = m[1]!.replace(/\.(mkv|mp4|avi|nzb|torrent)$/, '');
            if (/(\d{3,4}p|S\d{1,2}E\d|\b(19|20)\d\d\b)/i.test(v) && !v.includes('/')) names.add(v);
          }
    return [...names];
  }

  it('answers as parseRelease for title, year, quality, sources, codec, seasons and episodes', () => {
    const names = corpus();
    expect(names.length).toBeGreaterThan(40);
    let thrown = 0;
    for (const name of names)
      for (const series of [false, true]) {
        let r: ReturnType<typeof parseRelease>;
        try {
          r = parseRelease(name, series ? 'series' : undefined);
        } catch {
          // The release parser throws on a date in the future; the scanner reads such a name as a movie.
          expect(fileNameFacts(name, series), name).toMatchObject({ seasons: [], episodes: [] });
          thrown++;
          continue;
        }
        const want: FileNameFacts = { title: r.title, seasons: r.seasons, episodes: r.episodes, sources: r.sources };
        if (r.year !== undefined) want.year = r.year;
        if (r.quality !== undefined) want.quality = r.quality;
        if (r.codec !== undefined) want.codec = r.codec;
        expect(fileNameFacts(name, series), `${name} (series: ${series})`).toEqual(want);
      }
    expect(thrown).toBeLessThan(names.length / 10);
  });

  it('a date in the future fails no scan: the name is read as a movie', () => {
    expect(() => parseRelease('Show.Name.2999.01.01.720p.HDTV', 'series')).toThrow();
    expect(parseMediaFile('series', '/s', '/s/Show Name/Show.Name.2999.01.01.720p.HDTV.mkv')?.item).toEqual({ kind: 'series', title: 'Show Name' });
  });
});
