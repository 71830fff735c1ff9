import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBlocklistSql } from '../../src/automation/blocklist.sql.js';
import { TRACK_DOWNLOADS_JOB_TYPE } from '../../src/automation/download-tracker.js';
import type { Fake } from '../download-clients/fakes.js';
import { type SabServer, startSabServer } from '../download-clients/sabnzbd-server.js';
import { type RouteCtx, routeCtx, SAB_KEY, saveDownloaders } from '../downloads/route-helpers.js';
import { sqlEngines, tempDir } from '../helpers/engines.js';
import { ALIEN_RELEASES, MB, startTorznabServer, TORZNAB_KEY } from '../indexer-clients/torznab-server.js';
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
    let c: RouteCtx;
    let srv: Fake;
    let sab: SabServer;
    let t: { dir: string; cleanup: () => void };
    let libraryRoot: string;
    let completeDir: string;
    beforeAll(async () => {
      t = tempDir();
      completeDir = join(t.dir, 'sab-complete');
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
      libraryRoot = join(t.dir, 'library', 'Movies');
      mkdirSync(libraryRoot, { recursive: true });
      c = await routeCtx(engine, 'db');
      const ix = await c.call({
        method: 'POST',
        url: '/api/indexers',
        token: c.admin,
        payload: { name: 'Local Newznab', type: 'usenet', url: `${srv.url}/usenet`, apiKey: TORZNAB_KEY },
      });
      expect(ix.statusCode).toBe(200);
      await saveDownloaders(c, {
        qbittorrent: { enabled: false },
        nzbget: { enabled: false },
        sabnzbd: { enabled: true, baseUrl: `${sab.url}/sabnzbd`, apiKey: SAB_KEY, category: 'movies' },
      });
      await c.t.ctx.stores.settings.put('settings', { setupCompleted: true, mediaFolders: [{ path: libraryRoot, type: 'movies', enabled: true }] });
    });
    afterAll(async () => {
      await c?.close();
      await srv?.close();
      await sab?.close();
      t?.cleanup();
    });

    const wanted = async (id: string) =>
      (await c.call({ method: 'GET', url: '/api/wanted', token: c.user })).json<{ items: Record<string, unknown>[] }>().items.find((i) => i.id === id) as {
        status: string;
        lastSearch: { grabbed: number };
        rejections: { title: string; reasons: { code: string }[] }[];
      };
    const last = async (id: string) =>
      (await c.call({ method: 'GET', url: `/api/downloads/last?kind=movies&id=${id}`, token: c.user })).json<{ last: Record<string, unknown> }>().last;
    const track = async () => {
      const queue = c.t.ctx.stores.jobs;
      const jobId = await queue.enqueue(TRACK_DOWNLOADS_JOB_TYPE, {}, { now: c.t.ctx.now() });
      let job = await queue.get(jobId);
      while (job?.status === 'queued' || job?.status === 'running') {
        await new Promise((r) => setTimeout(r, 50));
        job = await queue.get(jobId);
      }
      expect(job?.status).toBe('completed');
    };

    it('grab -> queue progress -> history Completed -> hardlinked into the library; the failed job is blocklisted and searched again', async () => {
      const lib = await c.call({ method: 'POST', url: '/api/library', token: c.admin, payload: { kind: 'movie', title: 'Alien' } });
      const id = lib.json<{ item?: { id: string }; id?: string }>().item?.id ?? (lib.json<{ id: string }>().id as string);
      await c.call({
        method: 'POST',
        url: '/api/wanted',
        token: c.user,
        payload: { id, title: 'Alien', kind: 'movies', year: 1979, qualityProfileId: 'hd-1080p' },
      });
      await c.call({ method: 'POST', url: '/api/wanted', token: c.user, payload: { id: 'heat', title: 'Heat', kind: 'movies', year: 1995 } });
      const scan = await c.call({ method: 'POST', url: '/api/wanted/scan', token: c.user, payload: { enqueue: true } });
      expect(scan.json()).toMatchObject({ scanned: 2, results: expect.arrayContaining([{ key: `movies:${id}`, found: 7, grabbed: 1 }]) });
      const grab = await last(id);
      expect(grab).toMatchObject({ client: 'sabnzbd', title: RELEASE, category: 'movies', downloadId: expect.stringMatching(/^SABnzbd_nzo_/) });
      // SABnzbd fetched the NZB itself from the indexer (with the key the grab put back) and named the job after the release
      expect(sab.jobs.map((j) => [j.nzo_id, j.name, j.cat])).toContainEqual([grab.downloadId, RELEASE, 'movies']);

      await track(); // Downloading, half done
      const downloading = await last(id);
      expect(downloading).toMatchObject({ state: 'downloading', clientState: 'Downloading', progress: 0.5, eta: 2 });
      // SABnzbd's size is the NZB's (yEnc-encoded article bytes, in MB with two decimals): a little more than the file
      expect(downloading.size).toBeGreaterThan(DATA.length);
      expect(downloading.size).toBeLessThan(DATA.length * 1.1);
      expect(await wanted(id)).toMatchObject({ status: 'downloading' });
      await track(); // history: Verifying (still processing)
      expect(await last(id)).toMatchObject({ state: 'downloading', clientState: 'Verifying', progress: 1 });
      await track(); // history: Completed -> import
      const dest = join(libraryRoot, 'Alien (1979)', 'Alien (1979) [1080p].mkv');
      const src = join(completeDir, 'movies', RELEASE, `${RELEASE}.mkv`);
      expect(await last(id)).toMatchObject({ state: 'imported', importedPath: dest, importedSize: DATA.length });
      expect(statSync(dest).ino).toBe(statSync(src).ino);
      expect(readFileSync(dest).equals(DATA)).toBe(true);
      expect(await wanted(id)).toMatchObject({ status: 'imported', importedPath: dest });

      expect(await last('heat')).toMatchObject({ state: 'failed', failure: 'SABnzbd: Download failed - Not on your server(s)' });
      expect(await createBlocklistSql(c.t.ctx.db.kysely).list()).toContainEqual(expect.objectContaining({ title: HEAT, protocol: 'usenet' }));
      for (let i = 0; i < 100 && (await wanted('heat')).rejections?.[0]?.title !== HEAT; i++) await new Promise((r) => setTimeout(r, 100));
      expect((await wanted('heat')).rejections).toContainEqual(
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
