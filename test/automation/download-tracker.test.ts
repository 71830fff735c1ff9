import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBlocklistSql } from '../../src/automation/blocklist.sql.js';
import { importRelativePath, libraryRootFor, mainMediaFile } from '../../src/automation/import-file.js';
import { magnetInfoHash } from '../../src/download-clients/torrent-file.js';
import { type Fake, fakeQbit, fakeSab } from '../download-clients/fakes.js';
import { QB_PASS, type RouteCtx, routeCtx, SAB_KEY, saveDownloaders } from '../downloads/route-helpers.js';
import { sqlEngines, tempDir } from '../helpers/engines.js';
import { startTorznabServer, TORZNAB_KEY } from '../indexer-clients/torznab-server.js';

const RELEASE = 'Alien.1979.1080p.BluRay.x264-AMIABLE';
const FAILING_HASH = 'aa'.repeat(20);
const MOVING_HASH = 'bb'.repeat(20);

describe('import naming and the main media file', () => {
  it('names by the template, keeps only safe path segments, and picks the largest non-sample video', async () => {
    expect(importRelativePath({ title: 'Alien', year: 1979, quality: '1080p', ext: '.MKV' })).toBe('Alien (1979)/Alien (1979) [1080p].mkv');
    expect(importRelativePath({ title: 'AC/DC: Live?', ext: '.mp4' })).toBe('AC DC Live/AC DC Live.mp4');
    expect(importRelativePath({ title: '..', ext: '.mkv' })).toBe('Unknown/Unknown.mkv');
    expect(
      libraryRootFor('movies', [
        { path: '/srv/tv', type: 'series' },
        { path: '/srv/movies', type: 'movies' },
      ]),
    ).toBe('/srv/movies');
    expect(libraryRootFor('tv', [{ path: '/srv/tv', type: 'series' }])).toBe('/srv/tv');
    expect(libraryRootFor('movie', [{ path: 'relative', type: 'movies' }])).toBeUndefined();
    const t = tempDir();
    try {
      const dir = join(t.dir, RELEASE);
      mkdirSync(join(dir, 'Sample'), { recursive: true });
      writeFileSync(join(dir, 'Sample', 'alien-sample.mkv'), Buffer.alloc(5000));
      writeFileSync(join(dir, 'alien.nfo'), Buffer.alloc(9000));
      writeFileSync(join(dir, 'alien.mkv'), Buffer.alloc(3000));
      expect(await mainMediaFile(dir)).toEqual({ path: join(dir, 'alien.mkv'), size: 3000 });
      expect(magnetInfoHash('magnet:?xt=urn:btih:MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U&dn=x')).toBe(Buffer.from('abcdefghijklmnopqrst').toString('hex'));
    } finally {
      t.cleanup();
    }
  });
});

for (const engine of sqlEngines()) {
  describe(`grab -> track -> import against the protocol fakes (${engine})`, () => {
    let c: RouteCtx;
    let srv: Fake;
    let sab: Fake;
    let qb: Fake;
    let t: { dir: string; cleanup: () => void };
    let libraryRoot: string;
    let downloadDir: string;
    beforeAll(async () => {
      t = tempDir();
      libraryRoot = join(t.dir, 'library', 'movies');
      downloadDir = join(t.dir, 'complete', RELEASE);
      mkdirSync(libraryRoot, { recursive: true });
      mkdirSync(downloadDir, { recursive: true });
      writeFileSync(join(downloadDir, 'alien.1979.1080p.mkv'), 'not really a movie, but the bytes are what counts');
      writeFileSync(join(downloadDir, 'alien.sample.mkv'), 'sample');
      c = await routeCtx(engine, 'db');
      srv = await startTorznabServer();
      sab = await fakeSab({
        apiKey: SAB_KEY,
        history: [{ nzo_id: 'SABnzbd_nzo_1', name: RELEASE, status: 'Completed', storage: downloadDir, bytes: 49, completed: 1735787045 }],
      });
      qb = await fakeQbit({
        username: 'admin',
        password: QB_PASS,
        torrents: [
          {
            hash: FAILING_HASH,
            name: 'Heat.1995.1080p.BluRay.x264-BROKEN',
            progress: 0.3,
            state: 'error',
            dlspeed: 0,
            eta: 8640000,
            category: 'movies',
            size: 100,
          },
          {
            hash: MOVING_HASH,
            name: 'Ronin.1998.1080p.BluRay.x264-GRP',
            progress: 0.5,
            state: 'downloading',
            dlspeed: 10,
            eta: 120,
            category: 'movies',
            size: 2000,
          },
        ],
      });
      expect(
        (
          await c.call({
            method: 'POST',
            url: '/api/indexers',
            token: c.admin,
            payload: { name: 'Local', type: 'usenet', url: `${srv.url}/usenet`, apiKey: TORZNAB_KEY },
          })
        ).statusCode,
      ).toBe(200);
      await saveDownloaders(c, {
        qbittorrent: { enabled: true, baseUrl: qb.url, username: 'admin', password: QB_PASS, category: 'movies' },
        nzbget: { enabled: false },
        sabnzbd: { enabled: true, baseUrl: `${sab.url}/sabnzbd`, apiKey: SAB_KEY },
      });
      await c.t.ctx.stores.settings.put('settings', { setupCompleted: true, mediaFolders: [{ path: libraryRoot, type: 'movies', enabled: true }] });
    });
    afterAll(async () => {
      await Promise.all([srv.close(), sab.close(), qb.close()]);
      await c.close();
      t.cleanup();
    });
    const wantedItem = async (id: string) =>
      (await c.call({ method: 'GET', url: '/api/wanted', token: c.user })).json<{ items: Record<string, unknown>[] }>().items.find((i) => i.id === id);
    const grabOf = async (kind: string, id: string) =>
      (await c.call({ method: 'GET', url: `/api/downloads/last?kind=${kind}&id=${id}`, token: c.user })).json<{ last: Record<string, unknown> }>().last;

    it('a completed download is hardlinked into the library root; library item, wanted item and history are updated', async () => {
      const lib = await c.call({ method: 'POST', url: '/api/library', token: c.admin, payload: { kind: 'movie', title: 'Alien' } });
      expect(lib.statusCode).toBe(200);
      const id = lib.json<{ item?: { id: string }; id?: string }>().item?.id ?? (lib.json<{ id: string }>().id as string);
      await c.call({
        method: 'POST',
        url: '/api/wanted',
        token: c.user,
        payload: { id, title: 'Alien', kind: 'movies', year: 1979, qualityProfileId: 'hd-1080p' },
      });
      expect((await c.call({ method: 'POST', url: '/api/wanted/scan', token: c.user, payload: { enqueue: true } })).json()).toMatchObject({
        results: [{ key: `movies:${id}`, grabbed: 1 }],
      });
      expect(await grabOf('movies', id)).toMatchObject({ title: RELEASE, client: 'sabnzbd', downloadId: 'SABnzbd_nzo_1', state: 'queued' });

      const report = await c.t.ctx.services.downloadTracker.trackOnce();
      expect(report).toMatchObject({ imported: [`movies:${id}`], failed: [] });
      const dest = join(libraryRoot, 'Alien (1979)', 'Alien (1979) [1080p].mkv');
      const src = join(downloadDir, 'alien.1979.1080p.mkv');
      expect(readFileSync(dest, 'utf8')).toBe('not really a movie, but the bytes are what counts');
      expect(statSync(dest).ino).toBe(statSync(src).ino); // a hardlink, not a copy
      const item = (await c.call({ method: 'GET', url: `/api/library/${id}`, token: c.user })).json<
        { item?: Record<string, unknown> } & Record<string, unknown>
      >();
      expect(item.item ?? item).toMatchObject({ filePath: dest, fileSize: 49, quality: '1080p' });
      expect(await wantedItem(id)).toMatchObject({ status: 'imported', importedPath: dest });
      const history = (await c.call({ method: 'GET', url: '/api/activity/history', token: c.user })).json<{ items: Record<string, unknown>[] }>().items;
      const entry = history.find((h) => h.id === id && h.client === 'sabnzbd' && h.title === RELEASE);
      expect(entry).toMatchObject({
        at: expect.any(String),
        state: 'imported',
        importedAt: expect.any(String),
        importedPath: dest,
        downloadId: 'SABnzbd_nzo_1',
      });
      // a second run leaves a finished import alone
      expect((await c.t.ctx.services.downloadTracker.trackOnce()).imported).toEqual([]);
    });

    it('progress lands on the activity queue; a failed download blocklists the release and marks the wanted item failed', async () => {
      await c.call({ method: 'POST', url: '/api/wanted', token: c.user, payload: { id: 'heat', title: 'Heat', kind: 'movies', year: 1995 } });
      await c.call({ method: 'POST', url: '/api/wanted', token: c.user, payload: { id: 'ronin', title: 'Ronin', kind: 'movies', year: 1998 } });
      for (const [id, hash, title] of [
        ['heat', FAILING_HASH, 'Heat.1995.1080p.BluRay.x264-BROKEN'],
        ['ronin', MOVING_HASH, 'Ronin.1998.1080p.BluRay.x264-GRP'],
      ]) {
        const g = await c.call({
          method: 'POST',
          url: '/api/downloads/grab',
          token: c.user,
          payload: { kind: 'movies', id, title, link: `magnet:?xt=urn:btih:${hash}&dn=${title}` },
        });
        expect(g.json()).toEqual({ ok: true, queued: true });
        expect(await grabOf('movies', id)).toMatchObject({ downloadId: hash, state: 'queued' });
      }
      const report = await c.t.ctx.services.downloadTracker.trackOnce();
      expect(report).toMatchObject({ failed: ['movies:heat'], imported: [] });
      const queue = (await c.call({ method: 'GET', url: '/api/activity/queue', token: c.user })).json<{ items: Record<string, unknown>[] }>().items;
      expect(queue.find((q) => q.id === 'ronin')).toMatchObject({ state: 'downloading', progress: 0.5, size: 2000, eta: 120, downloadId: MOVING_HASH });
      expect(await wantedItem('ronin')).toMatchObject({ status: 'downloading' });
      expect(await grabOf('movies', 'heat')).toMatchObject({ state: 'failed', failure: 'qBittorrent reports error' });
      const blocked = await createBlocklistSql(c.t.ctx.db.kysely).list();
      expect(blocked).toEqual([
        expect.objectContaining({ title: 'Heat.1995.1080p.BluRay.x264-BROKEN', protocol: 'torrent', reason: 'qBittorrent reports error' }),
      ]);
      const heat = await wantedItem('heat');
      // failed, then searched again at once (a queued job): nothing else was found for it
      expect(['failed', 'searching', 'wanted']).toContain(heat?.status);
    });

    it('a client that is not set up or does not answer is reported by name; its grabs stay open and nothing else changes', async () => {
      const grabs = c.t.ctx.stores.grabs;
      const open = { kind: 'movies', title: 'Some.Release.2001.1080p', ok: true, protocol: 'usenet', state: 'queued', at: new Date(0).toISOString() };
      await grabs.put('movies:nz1', { ...open, id: 'nz1', client: 'nzbget', downloadId: '5' });
      await grabs.put('movies:tr1', { ...open, id: 'tr1', client: 'transmission', downloadId: 'x' });
      const before = await grabs.list();
      const report = await c.t.ctx.services.downloadTracker.trackOnce();
      expect(report.errors).toEqual(expect.arrayContaining(['nzbget: not configured', 'transmission: not configured']));
      // SABnzbd answering with an error (a wrong key) for its queue and history
      await saveDownloaders(c, {
        qbittorrent: { enabled: true, baseUrl: qb.url, username: 'admin', password: QB_PASS, category: 'movies' },
        nzbget: { enabled: false },
        sabnzbd: { enabled: true, baseUrl: `${sab.url}/sabnzbd`, apiKey: 'not-the-key-0123456789abcdef0123' },
      });
      await grabs.put('movies:sb1', { ...open, id: 'sb1', client: 'sabnzbd', downloadId: 'SABnzbd_nzo_9' });
      const withSab = await c.t.ctx.services.downloadTracker.trackOnce();
      expect(withSab.errors).toContain('sabnzbd: sabnzbd: API Key Incorrect');
      const after = await grabs.list();
      for (const key of ['movies:nz1', 'movies:tr1']) expect(after.find((e) => e.key === key)).toEqual(before.find((e) => e.key === key));
      expect(after.find((e) => e.key === 'movies:sb1')?.record).toMatchObject({ state: 'queued' });
      expect(await c.t.ctx.services.downloadTracker.hasOpen()).toBe(true);
    });
  });
}
