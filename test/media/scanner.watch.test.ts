import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { type ScanWatch, startScanWatch } from '../../src/media/scanner.watch.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { tempDir } from '../helpers/engines.js';

const quiet = { warn() {}, info() {} };

/** Waits (polling, no time limit asserted) until `check` holds; fails after `tries` polls. */
async function until(check: () => Promise<boolean> | boolean, tries = 1000): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not reached');
}

describe('scanner watch mode', () => {
  let t: TestApp | undefined;
  let w: ScanWatch | undefined;
  afterEach(async () => {
    w?.stop();
    w = undefined;
    await t?.close();
    t = undefined;
  });

  it('is off by default and read from MEDIAOS_SCAN_WATCH / MEDIAOS_SCAN_WATCH_DEBOUNCE_MS', () => {
    const { dir, cleanup } = tempDir();
    try {
      const base = { MEDIAOS_DATA_DIR: dir, JWT_SECRET: 'x'.repeat(40), ENCRYPTION_KEY: 'y'.repeat(40) };
      expect(loadConfig(base, dir)).toMatchObject({ scanWatch: false, scanWatchDebounceMs: 2000 });
      expect(loadConfig({ ...base, MEDIAOS_SCAN_WATCH: 'true', MEDIAOS_SCAN_WATCH_DEBOUNCE_MS: '250' }, dir)).toMatchObject({
        scanWatch: true,
        scanWatchDebounceMs: 250,
      });
      expect(() => loadConfig({ ...base, MEDIAOS_SCAN_WATCH_DEBOUNCE_MS: '1' }, dir)).toThrow('MEDIAOS_SCAN_WATCH_DEBOUNCE_MS');
    } finally {
      cleanup();
    }
  });

  it('rescans only the folder that changed, once per burst: added, renamed and deleted files', async () => {
    t = await createTestApp();
    const root = join(t.dir, 'media');
    const movies = join(root, 'movies');
    const series = join(root, 'series');
    mkdirSync(join(movies, 'Heat (1995)'), { recursive: true });
    mkdirSync(join(series, 'Dark', 'Season 01'), { recursive: true });
    writeFileSync(join(movies, 'Heat (1995)', 'Heat.1995.1080p.mkv'), 'heat');
    for (let e = 1; e <= 3; e++) writeFileSync(join(series, 'Dark', 'Season 01', `Dark.S01E0${e}.720p.mkv`), `dark-${e}`);
    await t.ctx.stores.settings.put('settings', {
      mediaFolders: [
        { path: movies, type: 'movies' },
        { path: series, type: 'series' },
      ],
    });
    const scanner = t.ctx.services.scanner;
    const scans = async () =>
      Number(
        (
          await t!.ctx.db.kysely
            .selectFrom('jobs')
            .select((e) => e.fn.countAll().as('n'))
            .where('type', '=', 'media-scan')
            .executeTakeFirstOrThrow()
        ).n,
      );
    const settled = async (n: number) => (await scans()) === n && scanner.status().status === 'completed';

    await scanner.start({});
    await until(() => settled(1));
    expect(scanner.status().changes).toEqual({ added: 4, changed: 0, unchanged: 0, missing: 0 });

    w = startScanWatch({ settings: t.ctx.stores.settings, scanner, debounceMs: 300, log: quiet });
    await w.ready;
    expect(w.watched().sort()).toEqual([movies, series]);

    // A new movie folder with two files written one after the other: one scan, of that folder only.
    const ronin = join(movies, 'Ronin (1998)');
    mkdirSync(ronin);
    writeFileSync(join(ronin, 'Ronin.1998.720p.mkv'), 'ronin');
    writeFileSync(join(ronin, 'Ronin.1998.720p.sample.mkv'), 's');
    await until(() => settled(2));
    expect(scanner.status()).toMatchObject({ totalFiles: 2, changes: { added: 1, changed: 0, unchanged: 0, missing: 0 } });
    expect(await t.ctx.stores.library.findByTitle('Ronin')).toMatchObject({ kind: 'movie', year: 1998 });
    expect(await t.ctx.stores.library.count()).toBe(3);

    // A renamed episode: the season folder is rescanned, the old path is missing, the new one added.
    const season = join(series, 'Dark', 'Season 01');
    renameSync(join(season, 'Dark.S01E03.720p.mkv'), join(season, 'Dark.S01E03.1080p.mkv'));
    await until(() => settled(3));
    expect(scanner.status()).toMatchObject({ totalFiles: 3, changes: { added: 1, changed: 0, unchanged: 2, missing: 1 } });

    // A deleted folder: rescanned through its parent (the movies root), its file marked missing.
    rmSync(join(movies, 'Heat (1995)'), { recursive: true });
    await until(() => settled(4));
    expect(scanner.status().changes).toMatchObject({ missing: 1, added: 0 });
    const files = await scanner.files();
    expect(files.filter((f) => f.status === 'missing').map((f) => f.path.slice(root.length + 1))).toEqual([
      'movies/Heat (1995)/Heat.1995.1080p.mkv',
      'series/Dark/Season 01/Dark.S01E03.720p.mkv',
    ]);

    // A root removed from the settings is no longer watched.
    await t.ctx.stores.settings.put('settings', { mediaFolders: [{ path: series, type: 'series' }] });
    await w.refresh();
    expect(w.watched()).toEqual([series]);
    writeFileSync(join(movies, 'Ronin (1998)', 'Ronin.1998.extra.mkv'), 'x');
    writeFileSync(join(season, 'Dark.S01E04.720p.mkv'), 'dark-4');
    await until(() => settled(5));
    expect(scanner.status()).toMatchObject({ totalFiles: 4, changes: { added: 1, unchanged: 3 } });
    w.stop();
    writeFileSync(join(season, 'Dark.S01E05.720p.mkv'), 'dark-5');
    await new Promise((r) => setTimeout(r, 800));
    expect(await scans()).toBe(5);
  });
});
