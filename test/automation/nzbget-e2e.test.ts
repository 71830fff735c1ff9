import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBlocklistSql } from '../../src/automation/blocklist.sql.js';
import type { Fake } from '../download-clients/fakes.js';
import { sqlEngines } from '../helpers/engines.js';
import { ALIEN_RELEASES, MB, startTorznabServer } from '../indexer-clients/torznab-server.js';
import { type AutomationLoop, createAutomationLoop } from './loop-harness.js';
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
  let loop: AutomationLoop;
  let srv: Fake;
  let nntp: NntpServer;
  let nzb: RealNzbget;
  beforeAll(async () => {
    loop = createAutomationLoop();
    const articles = articlesOf(DATA, `${RELEASE}.mkv`, 100_000, 'alien');
    nntp = await startNntpServer(articles);
    nzb = await startRealNzbget(loop.dir, nntp);
    const missing = articlesOf(Buffer.from('never posted'), `${HEAT}.mkv`, 100_000, 'heat-missing');
    const releases = [...ALIEN_RELEASES, { title: HEAT, size: 7_000 * MB, category: 2040 }];
    srv = await startTorznabServer(releases, {
      1: Buffer.from(nzbOf([{ name: `${RELEASE}.mkv`, articles }])),
      [releases.length]: Buffer.from(nzbOf([{ name: `${HEAT}.mkv`, articles: missing }])),
    });
    await loop.start({
      engine,
      indexer: { name: 'Local Newznab', type: 'usenet', url: `${srv.url}/usenet` },
      client: 'nzbget',
      clientSettings: { baseUrl: nzb.url, username: nzb.username, password: nzb.password },
    });
  }, 60_000);
  afterAll(async () => {
    await loop?.close(
      () => srv?.close(),
      () => nzb?.stop(),
      () => nntp?.close(),
    );
  });

  it('grabs into NZBGet, which downloads from the local news server; the finished file is hardlinked into the library', async () => {
    const id = await loop.wantLibraryMovie('Alien', 1979, 'hd-1080p');
    await loop.want({ id: 'heat', title: 'Heat', kind: 'movies', year: 1995 });

    expect(await loop.scan()).toMatchObject({
      ok: true,
      scanned: 2,
      results: expect.arrayContaining([
        { key: `movies:${id}`, found: 7, grabbed: 1 },
        { key: 'movies:heat', found: 1, grabbed: 1 },
      ]),
    });
    const alien = await loop.last(id);
    expect(alien).toMatchObject({ client: 'nzbget', title: RELEASE, ok: true, downloadId: expect.stringMatching(/^\d+$/) });
    expect(await loop.last('heat')).toMatchObject({ client: 'nzbget', title: HEAT, ok: true, downloadId: expect.stringMatching(/^\d+$/) });

    await loop.trackUntilFinal([id, 'heat'], () => nzb.log().slice(-2000));

    // NZBGet really downloaded it: the file it moved to its DestDir is the posted one
    const fromNzbget = join(nzb.destDir, RELEASE, `${RELEASE}.mkv`);
    expect(readFileSync(fromNzbget).equals(DATA)).toBe(true);
    expect(nntp.commands).toContain('BODY <alien.part1@mediaos.test>');
    const dest = join(loop.libraryRoot, 'Alien (1979)', 'Alien (1979) [1080p].mkv');
    expect(statSync(dest).ino).toBe(statSync(fromNzbget).ino);
    expect(await loop.last(id)).toMatchObject({ state: 'imported', importedPath: dest, importedSize: DATA.length, downloadId: alien.downloadId });
    expect(await loop.libraryItem(id)).toMatchObject({ filePath: dest, fileSize: DATA.length, quality: '1080p' });
    expect(await loop.wanted(id)).toMatchObject({ status: 'imported', importedPath: dest });
    const history = await loop.history();
    expect(history).toContainEqual(expect.objectContaining({ id, title: RELEASE, client: 'nzbget', state: 'imported', importedPath: dest }));
    // NZBGet's own history is listed too (additive)
    expect(history).toContainEqual(expect.objectContaining({ client: 'nzbget', title: RELEASE, status: expect.stringMatching(/^SUCCESS/) }));
  }, 120_000);

  it('the download NZBGet could not finish is blocklisted and the item searched again, which now rejects it', async () => {
    expect(await loop.last('heat')).toMatchObject({ state: 'failed', failure: expect.stringMatching(/^NZBGet: FAILURE\//) });
    const blocked = await createBlocklistSql(loop.c.t.ctx.db.kysely).list();
    expect(blocked).toContainEqual(expect.objectContaining({ title: HEAT, protocol: 'usenet', reason: expect.stringMatching(/^NZBGet: FAILURE/) }));
    // the new search was queued by the tracker; wait for it to land on the item
    await loop.untilRejected('heat', HEAT);
    const heat = await loop.wanted('heat');
    expect(heat.rejections).toContainEqual({ title: HEAT, indexer: 'Local Newznab', reasons: [expect.objectContaining({ code: 'blocklisted' })] });
    expect(heat.lastSearch.grabbed).toBe(0);
    expect(heat.status).toBe('wanted');
  }, 60_000);
});
