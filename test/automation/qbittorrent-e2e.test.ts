import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fake } from '../download-clients/fakes.js';
import { sqlEngines } from '../helpers/engines.js';
import { startTorznabServer } from '../indexer-clients/torznab-server.js';
import { type AutomationLoop, createAutomationLoop } from './loop-harness.js';
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
  let loop: AutomationLoop;
  let srv: Fake;
  let qbt: RealQbit;
  let infoHash: string;
  beforeAll(async () => {
    loop = createAutomationLoop();
    qbt = await startRealQbit(loop.dir);
    writeFileSync(join(qbt.savePath, FILE), DATA);
    const torrent = makeTorrent(FILE, DATA);
    infoHash = torrent.infoHash;
    srv = await startTorznabServer(undefined, { 1: torrent.file });
    await loop.start({
      engine,
      indexer: { name: 'Local Torznab', type: 'torrent', url: `${srv.url}/good` },
      client: 'qbittorrent',
      clientSettings: { baseUrl: qbt.url },
    });
  }, 60_000);
  afterAll(async () => {
    await loop?.close(
      () => srv?.close(),
      () => qbt?.stop(),
    );
  });

  it('searches, rejects with reasons, grabs the right release, tracks it to complete and hardlinks it into the library', async () => {
    const id = await loop.wantLibraryMovie('Alien', 1979, 'hd-1080p');

    expect(await loop.scan()).toMatchObject({ ok: true, scanned: 1, results: [{ key: `movies:${id}`, found: 7, grabbed: 1 }] });
    const w = await loop.wanted(id);
    expect(w.lastSearch.release).toBe(RELEASE);
    const why = (title: string) => w.rejections.find((r) => r.title === title)?.reasons ?? [];
    expect(why('Alien.1979.2160p.UHD.BluRay.x265-TERMiNAL')).toEqual([
      { code: 'quality_not_allowed', reason: expect.stringContaining('2160p is not allowed') },
    ]);
    expect(why('Alien.1979.HDCAM.x264-NOGRP').map((r) => r.code)).toContain('cinema_source');
    expect(why('Alien.1979.1080p.BluRay.x264.sample-AMIABLE')).toEqual([{ code: 'sample', reason: 'release is a sample' }]);

    // qBittorrent has it, under the hash the grab recorded
    expect(await loop.last(id)).toMatchObject({ client: 'qbittorrent', title: RELEASE, downloadId: infoHash, ok: true });
    const listed = (await (await fetch(`${qbt.url}/api/v2/torrents/info`)).json()) as { hash: string }[];
    expect(listed.map((x) => x.hash)).toEqual([infoHash]);

    // the tracking job runs (as the schedule queues it) until qBittorrent has checked the file
    await loop.trackUntilFinal([id]);
    expect(await loop.last(id)).toMatchObject({ state: 'imported' });

    const dest = join(loop.libraryRoot, 'Alien (1979)', 'Alien (1979) [1080p].mkv');
    expect(statSync(dest).ino).toBe(statSync(join(qbt.savePath, FILE)).ino);
    expect(readFileSync(dest).equals(DATA)).toBe(true);
    expect(await loop.libraryItem(id)).toMatchObject({ filePath: dest, fileSize: DATA.length, quality: '1080p' });
    expect(await loop.wanted(id)).toMatchObject({ status: 'imported', importedPath: dest });
    expect(await loop.history()).toContainEqual(
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
