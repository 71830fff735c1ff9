import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { takeBackup } from '../../src/backups/backups.service.js';
import { restoreBackupArchive } from '../../src/backups/restore-archive.js';
import { openDatabase } from '../../src/db/connect.js';
import { createLibrarySql } from '../../src/library/library.sql.js';
import { artworkDir, createArtworkStore } from '../../src/media/artwork.store.js';
import { sqlEngines } from '../helpers/engines.js';
import { skipWithoutFfmpeg } from '../verify/media-samples.js';
import { type BackupWorld, backupWorld, flipByte, repack, T0 } from './backup-fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A real image made by ffmpeg (one frame of a test pattern). */
function image(path: string, pattern: string): void {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `${pattern}=size=64x48`, '-frames:v', '1', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
}

/** A world with two stored artwork files, an item pointing at one, and a stray file in the artwork folder. */
async function withArtwork(engine: 'sqlite' | 'postgres') {
  const w: BackupWorld = await backupWorld(engine);
  cleanups.push(() => w.tdb.cleanup());
  const src = join(w.tdb.dir, 'src');
  mkdirSync(src);
  image(join(src, 'poster.jpg'), 'testsrc');
  image(join(src, 'fanart.png'), 'smptebars');
  const store = createArtworkStore({ dir: artworkDir(w.config.dataDir), maxBytes: 10 * 1024 * 1024 });
  const poster = await store.importFile(join(src, 'poster.jpg'));
  const fanart = await store.importFile(join(src, 'fanart.png'));
  writeFileSync(join(artworkDir(w.config.dataDir), 'notes.txt'), 'not artwork');
  await w.ctx.stores.library.create({ id: 'lib-heat', kind: 'movie', title: 'Heat', posterUrl: poster.url, backgroundUrl: fanart.url }, T0);
  const bytes = new Map([poster, fanart].map((a) => [a.name, readFileSync(join(artworkDir(w.config.dataDir), a.name))]));
  return { w, poster, fanart, bytes };
}

for (const engine of sqlEngines()) {
  describe.skipIf(skipWithoutFfmpeg)(`backup archives carry the artwork (${engine})`, () => {
    it('a restore brings the stored artwork back, byte for byte, with the items that point at it', async () => {
      const { w, poster, fanart, bytes } = await withArtwork(engine);
      const taken = await takeBackup(w.tdb.db, w.config, 'manual');
      const names = taken.manifest.members.map((m) => m.name);
      expect(names.filter((n) => n.startsWith('artwork/')).sort()).toEqual([`artwork/${poster.name}`, `artwork/${fanart.name}`].sort());
      expect(taken.manifest.formatVersion).toBe(2);
      expect(taken.manifest.members.find((m) => m.name === `artwork/${poster.name}`)).toMatchObject({ size: poster.size, sha256: poster.name.slice(0, 64) });

      // Lost since: the artwork folder and the item's artwork.
      rmSync(artworkDir(w.config.dataDir), { recursive: true });
      await w.ctx.stores.library.patch('lib-heat', { posterUrl: null, backgroundUrl: null }, T0);
      await w.tdb.db.close();

      const restored = await restoreBackupArchive(w.config, taken.file);
      expect(restored.artworkRestored).toBe(2);
      expect(readdirSync(artworkDir(w.config.dataDir)).sort()).toEqual([poster.name, fanart.name].sort());
      for (const [name, b] of bytes) expect(readFileSync(join(artworkDir(w.config.dataDir), name)).equals(b)).toBe(true);
      const db = openDatabase(w.tdb.target);
      try {
        const item = await createLibrarySql(db.kysely, db.engine).getById('lib-heat');
        expect(item).toMatchObject({ posterUrl: `/api/artwork/${poster.name}`, backgroundUrl: `/api/artwork/${fanart.name}` });
      } finally {
        await db.close();
      }
      // Restoring again leaves the files that are there (same name, same bytes).
      await expect(restoreBackupArchive(w.config, taken.file)).resolves.toMatchObject({ artworkRestored: 0 });
    });

    it('an archive whose artwork member is damaged is refused, and nothing is changed', async () => {
      const { w, poster } = await withArtwork(engine);
      const taken = await takeBackup(w.tdb.db, w.config, 'manual');
      await w.tdb.db.close();
      rmSync(join(artworkDir(w.config.dataDir), poster.name));
      const bad = join(w.tdb.dir, 'bad.tar.gz');
      await repack(taken.file, bad, (n, d) => (n === `artwork/${poster.name}` ? flipByte(d, 10) : d));
      const before = readdirSync(artworkDir(w.config.dataDir)).sort();
      await expect(restoreBackupArchive(w.config, bad)).rejects.toThrow(`member artwork/${poster.name} fails its sha256 check`);
      expect(readdirSync(artworkDir(w.config.dataDir)).sort()).toEqual(before);
      expect(existsSync(join(artworkDir(w.config.dataDir), poster.name))).toBe(false);
    });
  });
}
