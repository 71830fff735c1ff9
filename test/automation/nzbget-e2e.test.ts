import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBlocklistSql } from '../../src/automation/blocklist.sql.js';
import { TRACK_DOWNLOADS_JOB_TYPE } from '../../src/automation/download-tracker.js';
import type { Fake } from '../download-clients/fakes.js';
import { type RouteCtx, routeCtx, saveDownloaders } from '../downloads/route-helpers.js';
import { sqlEngines, tempDir } from '../helpers/engines.js';
import { ALIEN_RELEASES, MB, startTorznabServer, TORZNAB_KEY } from '../indexer-clients/torznab-server.js';
import { articlesOf, type NntpServer, nzbOf, startNntpServer } from './nntp-server.js';
import { hasNzbget, type RealNzbget, startRealNzbget } from './real-nzbget.js';

const RELEASE = 'Alien.1979.1080p.BluRay.x264-AMIABLE';
const HEAT = 'Heat.1995.1080p.BluRay.x264-BROKEN';
// 300 kB of not-quite-video in three yEnc articles
const DATA = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 256));

/**
 * The whole loop against a REAL NZBGet (Debian's nzbget, `-s` with a temp config, control port on
 * 127.0.0.1) and a local news server (test/automation/nntp-server.ts: NNTP + yEnc), no network:
 * the wanted movie's best release is found on a local Newznab endpoint, its NZB link sent to
 * NZBGet with `append`, NZBGet fetches the NZB, downloads the articles, checks and moves the file
 * (history SUCCESS); the tracking job finds it via `history` and hardlinks it into the library.
 * A second movie's NZB names articles the news server does not hold: NZBGet fails it
 * (FAILURE/HEALTH), the release is blocklisted and the item searched again.
 */
const engine = sqlEngines()[0] ?? 'sqlite';

describe.skipIf(!hasNzbget())(`wanted movie -> Newznab -> decision -> real NZBGet -> import (${engine})`, () => {
  let c: RouteCtx;
  let srv: Fake;
  let nntp: NntpServer;
  let nzb: RealNzbget;
  let t: { dir: string; cleanup: () => void };
  let libraryRoot: string;
  beforeAll(async () => {
    t = tempDir();
    const articles = articlesOf(DATA, `${RELEASE}.mkv`, 100_000, 'alien');
    nntp = await startNntpServer(articles);
    nzb = await startRealNzbget(t.dir, nntp);
    const missing = articlesOf(Buffer.from('never posted'), `${HEAT}.mkv`, 100_000, 'heat-missing');
    const releases = [...ALIEN_RELEASES, { title: HEAT, size: 7_000 * MB, category: 2040 }];
    srv = await startTorznabServer(releases, {
      1: Buffer.from(nzbOf([{ name: `${RELEASE}.mkv`, articles }])),
      [releases.length]: Buffer.from(nzbOf([{ name: `${HEAT}.mkv`, articles: missing }])),
    });
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
      sabnzbd: { enabled: false },
      nzbget: { enabled: true, baseUrl: nzb.url, username: nzb.username, password: nzb.password },
    });
    await c.t.ctx.stores.settings.put('settings', { setupCompleted: true, mediaFolders: [{ path: libraryRoot, type: 'movies', enabled: true }] });
  }, 60_000);
  afterAll(async () => {
    await c?.close();
    await srv?.close();
    await nzb?.stop();
    await nntp?.close();
    t?.cleanup();
  });

  const wanted = async (id: string) =>
    (await c.call({ method: 'GET', url: '/api/wanted', token: c.user })).json<{ items: Record<string, unknown>[] }>().items.find((i) => i.id === id) as {
      status: string;
      lastSearch: { release?: string; grabbed: number };
      rejections: { title: string; reasons: { code: string }[] }[];
      importedPath?: string;
    };
  const last = async (id: string) =>
    (await c.call({ method: 'GET', url: `/api/downloads/last?kind=movies&id=${id}`, token: c.user })).json<{ last: Record<string, unknown> }>().last;
  const runJob = async (type: string, payload: object = {}) => {
    const queue = c.t.ctx.stores.jobs;
    const jobId = await queue.enqueue(type, payload, { now: c.t.ctx.now() });
    let job = await queue.get(jobId);
    while (job?.status === 'queued' || job?.status === 'running') {
      await new Promise((r) => setTimeout(r, 100));
      job = await queue.get(jobId);
    }
    return job;
  };
  /** Tracking runs (as the schedule queues them) until every listed grab is imported or failed. */
  const trackUntilFinal = async (ids: string[]) => {
    for (let round = 0; round < 150; round++) {
      expect((await runJob(TRACK_DOWNLOADS_JOB_TYPE))?.status).toBe('completed');
      const states = await Promise.all(ids.map(async (id) => (await last(id)).state));
      if (states.every((s) => s === 'imported' || s === 'failed')) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`not finished: ${nzb.log().slice(-2000)}`);
  };

  it('grabs into NZBGet, which downloads from the local news server; the finished file is hardlinked into the library', async () => {
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
    expect(scan.json()).toMatchObject({
      ok: true,
      scanned: 2,
      results: expect.arrayContaining([
        { key: `movies:${id}`, found: 7, grabbed: 1 },
        { key: 'movies:heat', found: 1, grabbed: 1 },
      ]),
    });
    const alien = await last(id);
    expect(alien).toMatchObject({ client: 'nzbget', title: RELEASE, ok: true, downloadId: expect.stringMatching(/^\d+$/) });
    expect(await last('heat')).toMatchObject({ client: 'nzbget', title: HEAT, ok: true, downloadId: expect.stringMatching(/^\d+$/) });

    await trackUntilFinal([id, 'heat']);

    // NZBGet really downloaded it: the file it moved to its DestDir is the posted one
    const fromNzbget = join(nzb.destDir, RELEASE, `${RELEASE}.mkv`);
    expect(readFileSync(fromNzbget).equals(DATA)).toBe(true);
    expect(nntp.commands).toContain('BODY <alien.part1@mediaos.test>');
    const dest = join(libraryRoot, 'Alien (1979)', 'Alien (1979) [1080p].mkv');
    expect(statSync(dest).ino).toBe(statSync(fromNzbget).ino);
    expect(await last(id)).toMatchObject({ state: 'imported', importedPath: dest, importedSize: DATA.length, downloadId: alien.downloadId });
    const item = (await c.call({ method: 'GET', url: `/api/library/${id}`, token: c.user })).json<
      { item?: Record<string, unknown> } & Record<string, unknown>
    >();
    expect(item.item ?? item).toMatchObject({ filePath: dest, fileSize: DATA.length, quality: '1080p' });
    expect(await wanted(id)).toMatchObject({ status: 'imported', importedPath: dest });
    const history = (await c.call({ method: 'GET', url: '/api/activity/history', token: c.user })).json<{ items: Record<string, unknown>[] }>().items;
    expect(history).toContainEqual(expect.objectContaining({ id, title: RELEASE, client: 'nzbget', state: 'imported', importedPath: dest }));
    // NZBGet's own history is listed too (additive)
    expect(history).toContainEqual(expect.objectContaining({ client: 'nzbget', title: RELEASE, status: expect.stringMatching(/^SUCCESS/) }));
  }, 120_000);

  it('the download NZBGet could not finish is blocklisted and the item searched again, which now rejects it', async () => {
    expect(await last('heat')).toMatchObject({ state: 'failed', failure: expect.stringMatching(/^NZBGet: FAILURE\//) });
    const blocked = await createBlocklistSql(c.t.ctx.db.kysely).list();
    expect(blocked).toContainEqual(expect.objectContaining({ title: HEAT, protocol: 'usenet', reason: expect.stringMatching(/^NZBGet: FAILURE/) }));
    // the new search was queued by the tracker; wait for it to land on the item
    for (let i = 0; i < 100 && (await wanted('heat')).rejections?.[0]?.title !== HEAT; i++) await new Promise((r) => setTimeout(r, 100));
    const heat = await wanted('heat');
    expect(heat.rejections).toContainEqual({ title: HEAT, indexer: 'Local Newznab', reasons: [expect.objectContaining({ code: 'blocklisted' })] });
    expect(heat.lastSearch.grabbed).toBe(0);
    expect(heat.status).toBe('wanted');
  }, 60_000);
});
