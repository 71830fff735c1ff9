import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRACK_DOWNLOADS_JOB_TYPE } from '../../src/automation/download-tracker.js';
import type { Fake } from '../download-clients/fakes.js';
import { type RouteCtx, routeCtx, saveDownloaders } from '../downloads/route-helpers.js';
import { sqlEngines, tempDir } from '../helpers/engines.js';
import { startTorznabServer, TORZNAB_KEY } from '../indexer-clients/torznab-server.js';
import { hasQbittorrentNox, makeTorrent, type RealQbit, startRealQbit } from './real-qbittorrent.js';

const RELEASE = 'Alien.1979.1080p.BluRay.x264-AMIABLE';
const FILE = `${RELEASE}.mkv`;
// 300 kB of not-quite-video: qBittorrent only checks the pieces
const DATA = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251));

/**
 * The whole loop against a REAL qBittorrent (Debian's qbittorrent-nox, started here on
 * 127.0.0.1 with a temp profile) and a local Torznab server, no network: the wanted movie's
 * best release is chosen, its `.torrent` fetched by the server and uploaded to qBittorrent, which
 * finds the file already in its save path, checks it and reports it complete; the tracking job
 * hardlinks it into the library root.
 */
const engine = sqlEngines()[0] ?? 'sqlite';

describe.skipIf(!hasQbittorrentNox())(`wanted movie -> Torznab -> decision -> real qBittorrent -> import (${engine})`, () => {
  let c: RouteCtx;
  let srv: Fake;
  let qbt: RealQbit;
  let t: { dir: string; cleanup: () => void };
  let libraryRoot: string;
  let infoHash: string;
  beforeAll(async () => {
    t = tempDir();
    qbt = await startRealQbit(t.dir);
    writeFileSync(join(qbt.savePath, FILE), DATA);
    const torrent = makeTorrent(FILE, DATA);
    infoHash = torrent.infoHash;
    srv = await startTorznabServer(undefined, { 1: torrent.file });
    libraryRoot = join(t.dir, 'library', 'Movies');
    mkdirSync(libraryRoot, { recursive: true });
    c = await routeCtx(engine, 'db');
    expect(
      (
        await c.call({
          method: 'POST',
          url: '/api/indexers',
          token: c.admin,
          payload: { name: 'Local Torznab', type: 'torrent', url: `${srv.url}/good`, apiKey: TORZNAB_KEY },
        })
      ).statusCode,
    ).toBe(200);
    await saveDownloaders(c, { qbittorrent: { enabled: true, baseUrl: qbt.url }, nzbget: { enabled: false }, sabnzbd: { enabled: false } });
    await c.t.ctx.stores.settings.put('settings', { setupCompleted: true, mediaFolders: [{ path: libraryRoot, type: 'movies', enabled: true }] });
  }, 60_000);
  afterAll(async () => {
    await c?.close();
    await srv?.close();
    await qbt?.stop();
    t?.cleanup();
  });

  it('searches, rejects with reasons, grabs the right release, tracks it to complete and hardlinks it into the library', async () => {
    const lib = await c.call({ method: 'POST', url: '/api/library', token: c.admin, payload: { kind: 'movie', title: 'Alien' } });
    const id = lib.json<{ item?: { id: string }; id?: string }>().item?.id ?? (lib.json<{ id: string }>().id as string);
    await c.call({
      method: 'POST',
      url: '/api/wanted',
      token: c.user,
      payload: { id, title: 'Alien', kind: 'movies', year: 1979, qualityProfileId: 'hd-1080p' },
    });

    const scan = await c.call({ method: 'POST', url: '/api/wanted/scan', token: c.user, payload: { enqueue: true } });
    expect(scan.json()).toMatchObject({ ok: true, scanned: 1, results: [{ key: `movies:${id}`, found: 7, grabbed: 1 }] });
    const wanted = async () =>
      (await c.call({ method: 'GET', url: '/api/wanted', token: c.user })).json<{ items: Record<string, unknown>[] }>().items[0] as {
        status: string;
        lastSearch: { release?: string };
        rejections: { title: string; reasons: { code: string; reason: string }[] }[];
        importedPath?: string;
      };
    const w = await wanted();
    expect(w.lastSearch.release).toBe(RELEASE);
    const why = (title: string) => w.rejections.find((r) => r.title === title)?.reasons ?? [];
    expect(why('Alien.1979.2160p.UHD.BluRay.x265-TERMiNAL')).toEqual([
      { code: 'quality_not_allowed', reason: expect.stringContaining('2160p is not allowed') },
    ]);
    expect(why('Alien.1979.HDCAM.x264-NOGRP').map((r) => r.code)).toContain('cinema_source');
    expect(why('Alien.1979.1080p.BluRay.x264.sample-AMIABLE')).toEqual([{ code: 'sample', reason: 'release is a sample' }]);

    // qBittorrent has it, under the hash the grab recorded
    const last = async () =>
      (await c.call({ method: 'GET', url: `/api/downloads/last?kind=movies&id=${id}`, token: c.user })).json<{ last: Record<string, unknown> }>().last;
    expect(await last()).toMatchObject({ client: 'qbittorrent', title: RELEASE, downloadId: infoHash, ok: true });
    const listed = (await (await fetch(`${qbt.url}/api/v2/torrents/info`)).json()) as { hash: string }[];
    expect(listed.map((x) => x.hash)).toEqual([infoHash]);

    // the tracking job runs (as the schedule queues it) until qBittorrent has checked the file
    const queue = c.t.ctx.stores.jobs;
    for (;;) {
      const jobId = await queue.enqueue(TRACK_DOWNLOADS_JOB_TYPE, {}, { now: c.t.ctx.now() });
      let job = await queue.get(jobId);
      while (job?.status === 'queued' || job?.status === 'running') {
        await new Promise((r) => setTimeout(r, 100));
        job = await queue.get(jobId);
      }
      expect(job?.status).toBe('completed');
      if ((await last()).state === 'imported') break;
      await new Promise((r) => setTimeout(r, 200));
    }

    const dest = join(libraryRoot, 'Alien (1979)', 'Alien (1979) [1080p].mkv');
    expect(statSync(dest).ino).toBe(statSync(join(qbt.savePath, FILE)).ino);
    expect(readFileSync(dest).equals(DATA)).toBe(true);
    const item = (await c.call({ method: 'GET', url: `/api/library/${id}`, token: c.user })).json<
      { item?: Record<string, unknown> } & Record<string, unknown>
    >();
    expect(item.item ?? item).toMatchObject({ filePath: dest, fileSize: DATA.length, quality: '1080p' });
    expect(await wanted()).toMatchObject({ status: 'imported', importedPath: dest });
    const history = (await c.call({ method: 'GET', url: '/api/activity/history', token: c.user })).json<{ items: Record<string, unknown>[] }>().items;
    expect(history).toContainEqual(
      expect.objectContaining({
        id,
        title: RELEASE,
        client: 'qbittorrent',
        at: expect.any(String),
        downloadId: infoHash,
        state: 'imported',
        importedAt: expect.any(String),
        importedPath: dest,
      }),
    );
  }, 120_000);
});
