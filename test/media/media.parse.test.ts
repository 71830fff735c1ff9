import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMediaFile } from '../../src/media/media.parse.js';
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
