import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mediaRootPaths, resolveInsideRoots } from '../../src/settings/media-roots.js';

describe('media roots', () => {
  let dir: string;
  let root: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mediaos-roots-'));
    root = join(dir, 'Movies');
    mkdirSync(join(root, 'Heat (1995)'), { recursive: true });
    writeFileSync(join(root, 'Heat (1995)', 'heat.mkv'), 'x');
    writeFileSync(join(dir, 'secret.txt'), 'x');
    mkdirSync(join(dir, 'Movies-other'));
    writeFileSync(join(dir, 'Movies-other', 'a.mkv'), 'x');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the legacy mediaFolders shape and skips what is not an absolute path', () => {
    const doc = {
      setupCompleted: true,
      mediaFolders: [
        { path: '/m/Movies', type: 'movies', enabled: true },
        { path: '/m/Series', type: 'series', enabled: false },
        { path: 'relative', type: 'movies' },
        { type: 'movies' },
        null,
        'x',
      ],
    };
    expect(mediaRootPaths(doc)).toEqual(['/m/Movies', '/m/Series']);
    expect(mediaRootPaths(undefined)).toEqual([]);
    expect(mediaRootPaths({ mediaFolders: 'nope' })).toEqual([]);
  });

  it('answers the real path for files inside a root, existing or not', async () => {
    expect(await resolveInsideRoots(join(root, 'Heat (1995)', 'heat.mkv'), [root])).toBe(join(root, 'Heat (1995)', 'heat.mkv'));
    expect(await resolveInsideRoots(join(root, 'none', 'deeper.mkv'), [root])).toBe(join(root, 'none', 'deeper.mkv'));
    expect(await resolveInsideRoots(root, [root])).toBe(root);
    // a root given through a symlink still contains its files
    symlinkSync(root, join(dir, 'link-to-movies'));
    expect(await resolveInsideRoots(join(root, 'Heat (1995)', 'heat.mkv'), [join(dir, 'link-to-movies')])).toBe(join(root, 'Heat (1995)', 'heat.mkv'));
  });

  it('refuses .. escapes, sibling prefixes, symlinks out of a root, relative paths and missing roots', async () => {
    expect(await resolveInsideRoots(join(root, '..', 'secret.txt'), [root])).toBeUndefined();
    expect(await resolveInsideRoots(join(root, '..', 'nothere.txt'), [root])).toBeUndefined();
    expect(await resolveInsideRoots(join(dir, 'Movies-other', 'a.mkv'), [root])).toBeUndefined();
    symlinkSync(join(dir, 'secret.txt'), join(root, 'escape.mkv'));
    symlinkSync(dir, join(root, 'escape-dir'));
    expect(await resolveInsideRoots(join(root, 'escape.mkv'), [root])).toBeUndefined();
    expect(await resolveInsideRoots(join(root, 'escape-dir', 'nothere.mkv'), [root])).toBeUndefined();
    expect(await resolveInsideRoots('Movies/Heat (1995)/heat.mkv', [root])).toBeUndefined();
    expect(await resolveInsideRoots(join(root, 'a\0b'), [root])).toBeUndefined();
    expect(await resolveInsideRoots('/etc/shadow', [join(dir, 'no-such-root'), '/'.concat('nonexistent-root-x')])).toBeUndefined();
  });
});
