import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBlocklistSql } from '../../src/automation/blocklist.sql.js';
import type { Fake } from '../download-clients/fakes.js';
import { type SabServer, startSabServer } from '../download-clients/sabnzbd-server.js';
import { SAB_KEY } from '../downloads/route-helpers.js';
import { sqlEngines } from '../helpers/engines.js';
import { ALIEN_RELEASES, MB, startTorznabServer } from '../indexer-clients/torznab-server.js';
import { type AutomationLoop, createAutomationLoop } from './loop-harness.js';
import { articlesOf, nzbOf } from './nntp-server.js';

const RELEASE = 'Alien.1979.1080p.BluRay.x264-AMIABLE';
const HEAT = 'Heat.1995.1080p.BluRay.x264-BROKEN';
const DATA = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 31) % 256));

/**
 * The loop against a local SABnzbd that answers SABnzbd's documented API and keeps its state
 * (test/download-clients/sabnzbd-server.ts; Debian has no SABnzbd package): the chosen release's
 * NZB link goes to `mode=addurl` (the server fetches the NZB itself, as SABnzbd does), the
 * tracking job follows `mode=queue` and `mode=history` until Completed and imports from the
 * history's `storage` folder; a job SABnzbd fails is blocklisted and searched again.
 */
for (const engine of sqlEngines()) {
  describe(`wanted movie -> Newznab -> decision -> SABnzbd (local, protocol-faithful) -> import (${engine})`, () => {
    let loop: AutomationLoop;
    let srv: Fake;
    let sab: SabServer;
    let completeDir: string;
    beforeAll(async () => {
      loop = createAutomationLoop();
      completeDir = join(loop.dir, 'sab-complete');
      const alienNzb = nzbOf([{ name: `${RELEASE}.mkv`, articles: articlesOf(DATA, `${RELEASE}.mkv`, 100_000, 'alien') }]);
      const heatNzb = nzbOf([{ name: `${HEAT}.mkv`, articles: articlesOf(Buffer.from('x'), `${HEAT}.mkv`, 100_000, 'heat') }]);
      sab = await startSabServer({
        apiKey: SAB_KEY,
        completeDir,
        deliver: (nzb) =>
          nzb.includes('alien.part1')
            ? { [`${RELEASE}.mkv`]: DATA, 'alien.sample.mkv': Buffer.from('sample'), [`${RELEASE}.nfo`]: Buffer.from('nfo') }
            : undefined,
      });
      const releases = [...ALIEN_RELEASES, { title: HEAT, size: 7_000 * MB, category: 2040 }];
      srv = await startTorznabServer(releases, { 1: Buffer.from(alienNzb), [releases.length]: Buffer.from(heatNzb) });
      await loop.start({
        engine,
        indexer: { name: 'Local Newznab', type: 'usenet', url: `${srv.url}/usenet` },
        client: 'sabnzbd',
        clientSettings: { baseUrl: `${sab.url}/sabnzbd`, apiKey: SAB_KEY, category: 'movies' },
      });
    });
    afterAll(async () => {
      await loop?.close(
        () => srv?.close(),
        () => sab?.close(),
      );
    });

    it('grab -> queue progress -> history Completed -> hardlinked into the library; the failed job is blocklisted and searched again', async () => {
      const id = await loop.wantLibraryMovie('Alien', 1979, 'hd-1080p');
      await loop.want({ id: 'heat', title: 'Heat', kind: 'movies', year: 1995 });
      expect(await loop.scan()).toMatchObject({ scanned: 2, results: expect.arrayContaining([{ key: `movies:${id}`, found: 7, grabbed: 1 }]) });
      const grab = await loop.last(id);
      expect(grab).toMatchObject({ client: 'sabnzbd', title: RELEASE, category: 'movies', downloadId: expect.stringMatching(/^SABnzbd_nzo_/) });
      // SABnzbd fetched the NZB itself from the indexer (with the key the grab put back) and named the job after the release
      expect(sab.jobs.map((j) => [j.nzo_id, j.name, j.cat])).toContainEqual([grab.downloadId, RELEASE, 'movies']);

      await loop.track(50); // Downloading, half done
      const downloading = await loop.last(id);
      expect(downloading).toMatchObject({ state: 'downloading', clientState: 'Downloading', progress: 0.5, eta: 2 });
      // SABnzbd's size is the NZB's (yEnc-encoded article bytes, in MB with two decimals): a little more than the file
      expect(downloading.size).toBeGreaterThan(DATA.length);
      expect(downloading.size).toBeLessThan(DATA.length * 1.1);
      expect(await loop.wanted(id)).toMatchObject({ status: 'downloading' });
      await loop.track(50); // history: Verifying (still processing)
      expect(await loop.last(id)).toMatchObject({ state: 'downloading', clientState: 'Verifying', progress: 1 });
      await loop.track(50); // history: Completed -> import
      const dest = join(loop.libraryRoot, 'Alien (1979)', 'Alien (1979) [1080p].mkv');
      const src = join(completeDir, 'movies', RELEASE, `${RELEASE}.mkv`);
      expect(await loop.last(id)).toMatchObject({ state: 'imported', importedPath: dest, importedSize: DATA.length });
      expect(statSync(dest).ino).toBe(statSync(src).ino);
      expect(readFileSync(dest).equals(DATA)).toBe(true);
      expect(await loop.wanted(id)).toMatchObject({ status: 'imported', importedPath: dest });

      expect(await loop.last('heat')).toMatchObject({ state: 'failed', failure: 'SABnzbd: Download failed - Not on your server(s)' });
      expect(await createBlocklistSql(loop.c.t.ctx.db.kysely).list()).toContainEqual(expect.objectContaining({ title: HEAT, protocol: 'usenet' }));
      await loop.untilRejected('heat', HEAT);
      expect((await loop.wanted('heat')).rejections).toContainEqual(
        expect.objectContaining({ title: HEAT, reasons: [expect.objectContaining({ code: 'blocklisted' })] }),
      );
    }, 60_000);

    it('answers as SABnzbd does: version without a key, errors for a missing or wrong key, a refused URL', async () => {
      const get = async (q: string) => (await fetch(`${sab.url}/sabnzbd/api?output=json&${q}`)).json();
      expect(await get('mode=version')).toEqual({ version: expect.any(String) });
      expect(await get('mode=queue')).toEqual({ status: false, error: 'API Key Required' });
      expect(await get('mode=queue&apikey=wrong')).toEqual({ status: false, error: 'API Key Incorrect' });
      expect(await get(`mode=addurl&apikey=${SAB_KEY}&name=${encodeURIComponent(`${srv.url}/nothing-here`)}`)).toEqual({ status: false, nzo_ids: [] });
    });
  });
}
