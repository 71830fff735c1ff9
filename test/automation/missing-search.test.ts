import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createContext } from '../../src/app.js';
import { intervalJobId, missingSearchJobId, startAutomationSchedule } from '../../src/automation/automation.schedule.js';
import { RSS_SYNC_JOB_TYPE } from '../../src/automation/rss-sync.js';
import { WANTED_SEARCH_JOB_TYPE, type WantedSearchPayload } from '../../src/automation/wanted-search.js';
import { loadConfig } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import { createIndexerBody } from '../../src/indexers/indexers.types.js';
import { createJobsSql } from '../../src/jobs/jobs.sql.js';
import type { StoragePhase } from '../../src/storage/phase-list.js';
import type { Fake } from '../download-clients/fakes.js';
import { TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from '../helpers/app.js';
import { createTestDatabase, sqlEngines, type TestDatabase, type TestEngine } from '../helpers/engines.js';
import { startTorznabServer, TORZNAB_KEY } from '../indexer-clients/torznab-server.js';

const NOW = new Date('2026-12-05T10:00:00.000Z');
const HOUR = 3_600_000;
const matrix: [TestEngine, StoragePhase][] = [...sqlEngines().map((e) => [e, 'db'] as [TestEngine, StoragePhase]), ['sqlite', 'files']];

/**
 * The services on a real database without the HTTP app, so no jobs worker runs: what a sweep
 * queues stays in the queue to be looked at. The clock is fixed at NOW.
 */
async function services(engine: TestEngine, phase: StoragePhase, env: Record<string, string>): Promise<{ ctx: AppContext; tdb: TestDatabase }> {
  const tdb = await createTestDatabase(engine);
  const configDir = join(tdb.dir, 'config');
  mkdirSync(configDir, { recursive: true });
  const config = loadConfig(
    { MEDIAOS_DATA_DIR: tdb.dir, MEDIAOS_CONFIG_DIR: configDir, JWT_SECRET: TEST_JWT_SECRET, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, ...env },
    tdb.dir,
  );
  const quiet = { warn() {}, info() {}, error() {} };
  const ctx = await createContext(config, tdb.db, quiet, { phase, now: () => NOW });
  return { ctx, tdb };
}

for (const [engine, phase] of matrix) {
  describe(`the missing-items sweep (${engine}, ${phase})`, () => {
    let ctx: AppContext;
    let tdb: TestDatabase;
    let srv: Fake;
    let indexerId: string;
    beforeEach(async () => {
      ({ ctx, tdb } = await services(engine, phase, { MEDIAOS_MISSING_SEARCH_LIMIT: '4', MEDIAOS_MISSING_SEARCH_HOURS: '6' }));
      srv = await startTorznabServer();
      const created = await ctx.services.indexers.create(
        createIndexerBody.parse({ name: 'Local Newznab', type: 'usenet', url: `${srv.url}/usenet`, apiKey: TORZNAB_KEY }),
      );
      indexerId = String(created.id);
    });
    afterEach(async () => {
      await srv.close();
      await tdb.cleanup();
    });

    const queuedSearches = async () => {
      const jobs = await createJobsSql(tdb.db.kysely, tdb.db.engine).list({ type: WANTED_SEARCH_JOB_TYPE, limit: 1000 });
      return jobs.map((j) => ({ id: (j.payload as WantedSearchPayload).id, runAt: j.runAt, status: j.status }));
    };

    /** Ten wanted items: two never searched, five searched at different times, three with a release on its way. */
    async function seed(): Promise<void> {
      const wanted = ctx.stores.wanted;
      const items = ['recent', 'never-a', 'jan-03', 'grabbed', 'jan-01', 'never-b', 'downloading', 'feb-01', 'jan-02', 'imported'];
      for (const id of items) expect(await wanted.add({ id, title: `Title ${id}`, kind: 'movies', addedAt: '2026-01-01T00:00:00.000Z' })).toBe(true);
      const searched: Record<string, string> = {
        recent: '2026-12-05T09:00:00.000Z',
        'jan-03': '2026-01-03T00:00:00.000Z',
        'jan-01': '2026-01-01T00:00:00.000Z',
        'feb-01': '2026-02-01T00:00:00.000Z',
        'jan-02': '2026-01-02T00:00:00.000Z',
      };
      await wanted.recordScans(Object.entries(searched).map(([id, at]) => ({ kind: 'movies', id, lastScan: { at, found: 0, grabbed: 0 } })));
      for (const status of ['grabbed', 'downloading', 'imported'] as const) await wanted.update('movies', status, { status });
    }

    it('queues at most MEDIAOS_MISSING_SEARCH_LIMIT searches, least recently searched first, spread over half the interval', async () => {
      await seed();
      expect(await ctx.services.wantedSearch.searchMissing()).toEqual({ queued: 4 });
      const jobs = (await queuedSearches()).sort((a, b) => a.runAt.localeCompare(b.runAt));
      expect(jobs).toHaveLength(4);
      expect(jobs.every((j) => j.status === 'queued')).toBe(true);
      // never searched first (their order among themselves is the store's), then the oldest searches
      expect(new Set(jobs.slice(0, 2).map((j) => j.id))).toEqual(new Set(['never-a', 'never-b']));
      expect(jobs.slice(2).map((j) => j.id)).toEqual(['jan-01', 'jan-02']);
      // the first at once, the others one 6 h / 2 / 4 step apart
      expect(jobs.map((j) => Date.parse(j.runAt) - NOW.getTime())).toEqual([0, 0.75 * HOUR, 1.5 * HOUR, 2.25 * HOUR]);
    });

    it('reads the list in batches: more items than a batch still gives exactly the limit, the oldest first', async () => {
      const wanted = ctx.stores.wanted;
      for (let i = 0; i < 620; i++) await wanted.add({ id: `m${String(i).padStart(3, '0')}`, title: `Movie ${i}`, kind: 'movies' });
      const id = (i: number) => `m${String(i).padStart(3, '0')}`;
      // every item searched, m000 longest ago; the 600 searched longest ago have a release already,
      // so the first batch (500) holds none to search and the sweep reads on
      await wanted.recordScans(
        Array.from({ length: 620 }, (_, i) => ({
          kind: 'movies',
          id: id(i),
          lastScan: { at: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(), found: 0, grabbed: 0 },
        })),
      );
      for (let i = 0; i < 600; i++) await wanted.update('movies', id(i), { status: 'imported' });
      expect(await ctx.services.wantedSearch.searchMissing()).toEqual({ queued: 4 });
      const ids = (await queuedSearches()).sort((a, b) => a.runAt.localeCompare(b.runAt)).map((j) => j.id);
      expect(ids).toEqual(['m600', 'm601', 'm602', 'm603']);
    });

    it('queues nothing while the only indexer is backed off, and a search does not ask it; it is asked again once the backoff is cleared', async () => {
      await seed();
      const until = new Date(NOW.getTime() + 15 * 60_000).toISOString();
      await ctx.stores.indexers.patchIndexer(indexerId, { status: { failures: 2, disabledUntil: until, lastError: 'getaddrinfo ENOTFOUND indexer.invalid' } });
      expect(await ctx.services.indexers.readiness()).toEqual({ ready: 0, backedOff: 1 });
      expect(await ctx.services.wantedSearch.searchMissing()).toEqual({ queued: 0, skipped: 'every enabled indexer is backed off after failures (1)' });
      expect(await queuedSearches()).toEqual([]);
      // a search that runs anyway (one queued before the backoff) does not reach the indexer
      const searched = await ctx.services.wantedSearch.searchOne({ kind: 'movies', id: 'never-a', enqueue: true });
      expect(searched.found).toBe(0);
      expect(srv.requests).toHaveLength(0);
      expect((await ctx.stores.wanted.get('movies', 'never-a'))?.lastSearch).toMatchObject({ errors: [expect.stringMatching(/disabled after 2 failures/)] });

      await ctx.stores.indexers.patchIndexer(indexerId, { status: null });
      expect(await ctx.services.wantedSearch.searchMissing()).toEqual({ queued: 4 });
      await ctx.services.wantedSearch.searchOne({ kind: 'movies', id: 'never-b', enqueue: false });
      expect(srv.requests.length).toBeGreaterThan(0);
    });

    it('queues nothing without an enabled indexer', async () => {
      await seed();
      await ctx.services.indexers.patch(indexerId, { enabled: false });
      expect(await ctx.services.wantedSearch.searchMissing()).toEqual({ queued: 0, skipped: 'no indexer is enabled' });
      expect(await queuedSearches()).toEqual([]);
    });

    it('the schedule queues neither the first sweep nor the first RSS sync at boot, only after the start delay', async () => {
      const queue = ctx.stores.jobs;
      const deps = { queue, now: ctx.now, missingSearchHours: 6, rssSyncMinutes: 15, trackSeconds: 0, hasOpenGrabs: async () => false };
      const sweepId = missingSearchJobId(NOW, 6 * HOUR);
      const rssId = intervalJobId(RSS_SYNC_JOB_TYPE, NOW, 15 * 60_000);
      const held = startAutomationSchedule({ ...deps, startDelayMs: 10 * 60_000 }, { warn: () => {} });
      const early = await Promise.race([held.first.then(() => 'ran'), new Promise((r) => setTimeout(() => r('waiting'), 300))]);
      expect(early).toBe('waiting');
      expect(await queue.get(sweepId)).toBeUndefined();
      expect(await queue.get(rssId)).toBeUndefined();
      held.stop();
      expect(await held.first).toEqual([false, false, false]); // sweep, RSS sync, tracking (off): none ran
      expect(await queue.get(sweepId)).toBeUndefined();

      const soon = startAutomationSchedule({ ...deps, startDelayMs: 50 }, { warn: () => {} });
      await soon.first;
      soon.stop();
      expect(await queue.get(sweepId)).toMatchObject({ type: 'wanted.search-missing', status: 'queued' });
      expect(await queue.get(rssId)).toMatchObject({ type: RSS_SYNC_JOB_TYPE, status: 'queued' });
    });
  });
}
