import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { TRACK_DOWNLOADS_JOB_TYPE } from '../../src/automation/download-tracker.js';
import type { JobRecord } from '../../src/jobs/jobs.types.js';
import { type RouteCtx, routeCtx, saveDownloaders } from '../downloads/route-helpers.js';
import { type TestEngine, tempDir } from '../helpers/engines.js';
import { TORZNAB_KEY } from '../indexer-clients/torznab-server.js';

/**
 * The setup the automation e2e tests share (wanted movie -> indexer -> decision -> download
 * client -> import): a temp dir for the outside systems, a server (the app on a fresh database,
 * an admin and a user), one indexer, one enabled download client (the others off), a movies
 * library root; then the calls each test makes to drive the loop and read its state.
 */
export type ClientName = 'qbittorrent' | 'nzbget' | 'sabnzbd';

export interface LoopSetup {
  engine: TestEngine;
  indexer: { name: string; type: 'torrent' | 'usenet'; url: string };
  /** The one enabled download client and its settings (baseUrl, credentials, category). */
  client: ClientName;
  clientSettings: Record<string, unknown>;
}

export interface WantedView {
  status: string;
  lastSearch: { release?: string; grabbed: number };
  rejections: { title: string; indexer?: string; reasons: { code: string; reason?: string }[] }[];
  importedPath?: string;
}

export interface AutomationLoop {
  /** Temp dir for the outside systems (profiles, save paths); removed by close(). */
  dir: string;
  /** The enabled movies media folder. */
  libraryRoot: string;
  /** The server; set by start(). */
  c: RouteCtx;
  start(setup: LoopSetup): Promise<void>;
  /** A library item (movie) and its wanted entry with that quality profile; returns the item id. */
  wantLibraryMovie(title: string, year: number, qualityProfileId: string): Promise<string>;
  /** A wanted entry only (no library item). */
  want(body: { id: string; title: string; kind: 'movies'; year: number }): Promise<void>;
  /** POST /api/wanted/scan with enqueue (search, decide, grab). */
  scan(): Promise<Record<string, unknown>>;
  wanted(id: string): Promise<WantedView>;
  /** The item's last grab (GET /api/downloads/last). */
  last(id: string): Promise<Record<string, unknown>>;
  libraryItem(id: string): Promise<Record<string, unknown>>;
  history(): Promise<Record<string, unknown>[]>;
  /** Queues a job and waits until it is no longer queued or running. */
  runJob(type: string, payload?: object, pollMs?: number): Promise<JobRecord | null | undefined>;
  /** One tracking job (as the schedule queues it), which must complete. */
  track(pollMs?: number): Promise<void>;
  /** Tracking jobs until every listed item's last grab is imported or failed; `explain` adds to the error when it never happens. */
  trackUntilFinal(ids: string[], explain?: () => string): Promise<void>;
  /** Waits (up to 10 s) until the item's first rejection is for `title` (the search the tracker queued after a failure). */
  untilRejected(id: string, title: string): Promise<void>;
  /** Closes the server, then each of `others` (the outside systems), then removes the dir. */
  close(...others: (() => Promise<unknown> | undefined)[]): Promise<void>;
}

const ALL_CLIENTS: ClientName[] = ['qbittorrent', 'nzbget', 'sabnzbd'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createAutomationLoop(): AutomationLoop {
  const t = tempDir();
  const libraryRoot = join(t.dir, 'library', 'Movies');
  mkdirSync(libraryRoot, { recursive: true });
  let ctx: RouteCtx | undefined;
  const c = () => {
    if (!ctx) throw new Error('automation loop not started');
    return ctx;
  };
  const loop: AutomationLoop = {
    dir: t.dir,
    libraryRoot,
    get c() {
      return c();
    },

    async start(setup) {
      ctx = await routeCtx(setup.engine, 'db');
      const ix = await ctx.call({ method: 'POST', url: '/api/indexers', token: ctx.admin, payload: { ...setup.indexer, apiKey: TORZNAB_KEY } });
      expect(ix.statusCode).toBe(200);
      const clients = Object.fromEntries(ALL_CLIENTS.map((n) => [n, n === setup.client ? { enabled: true, ...setup.clientSettings } : { enabled: false }]));
      await saveDownloaders(ctx, clients);
      await ctx.t.ctx.stores.settings.put('settings', { setupCompleted: true, mediaFolders: [{ path: libraryRoot, type: 'movies', enabled: true }] });
    },

    async wantLibraryMovie(title, year, qualityProfileId) {
      const lib = await c().call({ method: 'POST', url: '/api/library', token: c().admin, payload: { kind: 'movie', title } });
      const id = lib.json<{ item?: { id: string }; id?: string }>().item?.id ?? (lib.json<{ id: string }>().id as string);
      await c().call({ method: 'POST', url: '/api/wanted', token: c().user, payload: { id, title, kind: 'movies', year, qualityProfileId } });
      return id;
    },

    async want(body) {
      await c().call({ method: 'POST', url: '/api/wanted', token: c().user, payload: body });
    },

    async scan() {
      return (await c().call({ method: 'POST', url: '/api/wanted/scan', token: c().user, payload: { enqueue: true } })).json();
    },

    async wanted(id) {
      const items = (await c().call({ method: 'GET', url: '/api/wanted', token: c().user })).json<{ items: Record<string, unknown>[] }>().items;
      return items.find((i) => i.id === id) as unknown as WantedView;
    },

    async last(id) {
      const res = await c().call({ method: 'GET', url: `/api/downloads/last?kind=movies&id=${id}`, token: c().user });
      return res.json<{ last: Record<string, unknown> }>().last;
    },

    async libraryItem(id) {
      const body = (await c().call({ method: 'GET', url: `/api/library/${id}`, token: c().user })).json<
        { item?: Record<string, unknown> } & Record<string, unknown>
      >();
      return body.item ?? body;
    },

    async history() {
      return (await c().call({ method: 'GET', url: '/api/activity/history', token: c().user })).json<{ items: Record<string, unknown>[] }>().items;
    },

    async runJob(type, payload = {}, pollMs = 100) {
      const queue = c().t.ctx.stores.jobs;
      const jobId = await queue.enqueue(type, payload, { now: c().t.ctx.now() });
      let job = await queue.get(jobId);
      while (job?.status === 'queued' || job?.status === 'running') {
        await sleep(pollMs);
        job = await queue.get(jobId);
      }
      return job;
    },

    async track(pollMs) {
      expect((await loop.runJob(TRACK_DOWNLOADS_JOB_TYPE, {}, pollMs))?.status).toBe('completed');
    },

    async trackUntilFinal(ids, explain) {
      for (let round = 0; round < 150; round++) {
        await loop.track();
        const states = await Promise.all(ids.map(async (id) => (await loop.last(id)).state));
        if (states.every((s) => s === 'imported' || s === 'failed')) return;
        await sleep(200);
      }
      throw new Error(`not finished: ${ids.join(', ')}${explain ? `\n${explain()}` : ''}`);
    },

    async untilRejected(id, title) {
      for (let i = 0; i < 100 && (await loop.wanted(id)).rejections?.[0]?.title !== title; i++) await sleep(100);
    },

    async close(...others) {
      await ctx?.close();
      for (const close of others) await close();
      t.cleanup();
    },
  };
  return loop;
}
