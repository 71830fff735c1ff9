/**
 * Grab -> track -> import (the second half of the automation loop). One run (a queued job) asks
 * each client about the grabs it holds (by the id the grab recorded: qBittorrent hash, SABnzbd
 * nzo_id, NZBGet NZBID) through the one DownloadClient interface (its queue, then its history), writes progress and state onto the grab record (the activity queue), and imports a
 * finished download: its main media file is hardlinked (copied across filesystems) into the
 * kind's library root, the library item gets `filePath`/`fileSize`/`quality`, the wanted item
 * becomes `imported`, and the grab record keeps both the grab and the import (history). A failed
 * download blocklists the release, marks the wanted item `failed` and queues a new search.
 */
import { extname, join } from 'node:path';
import { type ClientHistoryEntry, type ClientJob, isClientKind } from '../download-clients/download-client.js';
import { activeClient } from '../downloaders/downloaders.clients.js';
import type { DownloadersStore } from '../downloaders/downloaders.store.js';
import type { GrabsStore } from '../grabs/grabs.store.js';
import type { GrabEntry, GrabRecord } from '../grabs/grabs.types.js';
import type { LibraryStore } from '../library/library.store.js';
import { MEDIA_ROOTS_DOCUMENT } from '../settings/media-roots.js';
import { asDocument } from '../settings/settings.types.js';
import type { WantedStore } from '../wanted/wanted.store.js';
import type { BlocklistSql } from './blocklist.sql.js';
import { hardlinkOrCopy, importRelativePath, libraryRootFor, mainMediaFile } from './import-file.js';
import { parseRelease } from './release-parse.js';

export const TRACK_DOWNLOADS_JOB_TYPE = 'downloads.track';

/** States a grab record ends in (tracking leaves it alone after). */
/** History entries asked of a client per run. */
const HISTORY_LIMIT = 200;

export interface TrackerDeps {
  grabs: Pick<GrabsStore, 'listInFlight' | 'put'>;
  downloaders: Pick<DownloadersStore, 'get'>;
  wanted: Pick<WantedStore, 'get' | 'update'>;
  library: Pick<LibraryStore, 'getById' | 'patch'>;
  settings: { get(key: string): Promise<unknown> };
  blocklist: Pick<BlocklistSql, 'add'>;
  /** Queues a new search (with grab) of a wanted item after its download failed. */
  searchAgain?: (kind: string, id: string) => Promise<void>;
  now: () => Date;
}

/** What one client says about one download. */
type Seen =
  | { state: 'downloading'; clientState: string; progress: number; size?: number; eta?: number }
  | { state: 'completed'; clientState: string; contentPath: string; size?: number }
  | { state: 'failed'; clientState: string; reason: string };

export interface TrackReport {
  tracked: number;
  imported: string[];
  failed: string[];
  errors: string[];
}

/** A queue job or history entry in the tracker's terms: finished with its data, failed, or still on its way. */
function seenOf(x: ClientJob | ClientHistoryEntry, kind: string): Seen {
  const clientState = x.status ?? x.state;
  if (x.state === 'completed' && x.contentPath) return { state: 'completed', clientState, contentPath: x.contentPath, size: x.sizeBytes };
  if (x.state === 'failed') return { state: 'failed', clientState, reason: x.failure ?? `${kind} reports ${clientState}` };
  const job = x as ClientJob;
  const progress = x.state === 'processing' || x.state === 'completed' ? 1 : (job.progress ?? 0);
  return { state: 'downloading', clientState, progress, size: x.sizeBytes, eta: job.etaSec };
}

export function createDownloadTracker(deps: TrackerDeps) {
  /**
   * Asks each client once for what it holds (its queue, then its history where it keeps one: a
   * finished usenet download leaves the queue for the history): a lookup by client and id.
   */
  async function lookups(clients: Set<string>): Promise<{ find: (client: string, id: string) => Seen | undefined; errors: string[] }> {
    const settings = await deps.downloaders.get();
    const byClient = new Map<string, Map<string, Seen>>();
    const errors: string[] = [];
    for (const kind of clients) {
      const client = isClientKind(kind) ? activeClient(settings, kind) : undefined;
      if (!client?.list) {
        errors.push(`${kind}: ${client ? 'cannot list its downloads' : 'not configured'}`);
        continue;
      }
      const [queue, history] = await Promise.all([client.list(), client.history?.(HISTORY_LIMIT)]);
      const m = new Map<string, Seen>();
      if (queue.ok) for (const job of queue.jobs) m.set(job.id.toLowerCase(), seenOf(job, kind));
      else errors.push(`${kind}: ${queue.error}`);
      if (history?.ok) {
        for (const entry of history.entries) if (entry.id && !m.has(entry.id.toLowerCase())) m.set(entry.id.toLowerCase(), seenOf(entry, kind));
      } else if (history) errors.push(`${kind}: ${history.error}`);
      byClient.set(kind, m);
    }
    return { find: (client, id) => byClient.get(client)?.get(id.toLowerCase()), errors };
  }

  async function importDownload(entry: GrabEntry, seen: Extract<Seen, { state: 'completed' }>): Promise<GrabRecord> {
    const rec = entry.record;
    const kind = rec.kind ?? '';
    const id = rec.id ?? '';
    const at = deps.now().toISOString();
    const [wantedItem, libraryItem, appSettings] = await Promise.all([
      deps.wanted.get(kind, id),
      deps.library.getById(id),
      deps.settings.get(MEDIA_ROOTS_DOCUMENT),
    ]);
    const root = libraryRootFor(kind, asDocument(appSettings).mediaFolders);
    if (!root) throw new Error(`no library root for kind "${kind}" in settings mediaFolders`);
    const file = await mainMediaFile(seen.contentPath);
    if (!file) throw new Error('the download holds no media file');
    const parsed = parseRelease(rec.title ?? '', kind);
    const title = libraryItem?.title ?? wantedItem?.title ?? parsed.title;
    const yearOf = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
    const year = yearOf(libraryItem?.year) ?? yearOf(wantedItem?.year) ?? parsed.year;
    const quality = parsed.quality;
    const dest = join(root, importRelativePath({ title, year, quality, ext: extname(file.path) }));
    const mode = await hardlinkOrCopy(file.path, dest);
    if (libraryItem) await deps.library.patch(id, { filePath: dest, fileSize: file.size, ...(quality ? { quality } : {}) }, at);
    if (wantedItem) await deps.wanted.update(kind, id, { status: 'imported', importedPath: dest });
    return {
      ...rec,
      state: 'imported',
      progress: 1,
      importedAt: at,
      importedPath: dest,
      importedSize: file.size,
      importMode: mode,
      ...(quality ? { quality } : {}),
    };
  }

  return {
    /** Is any grab waiting for its download (the schedule queues a poll only then)? */
    async hasOpen(): Promise<boolean> {
      return (await deps.grabs.listInFlight()).length > 0;
    },

    /** One pass over every grab that has a client id and is not finished. */
    async trackOnce(): Promise<TrackReport> {
      const report: TrackReport = { tracked: 0, imported: [], failed: [], errors: [] };
      const open = await deps.grabs.listInFlight();
      if (open.length === 0) return report;
      const { find, errors } = await lookups(new Set(open.map((e) => e.record.client as string)));
      report.errors.push(...errors);
      for (const entry of open) {
        const rec = entry.record;
        const seen = find(rec.client as string, rec.downloadId as string);
        if (!seen) continue;
        report.tracked++;
        const kind = rec.kind ?? '';
        const id = rec.id ?? '';
        if (seen.state === 'downloading') {
          const next: GrabRecord = { ...rec, state: 'downloading', clientState: seen.clientState, progress: seen.progress };
          if (seen.size !== undefined) next.size = seen.size;
          if (seen.eta !== undefined) next.eta = seen.eta;
          else delete next.eta;
          await deps.grabs.put(entry.key, next);
          const w = await deps.wanted.get(kind, id);
          if (w && w.status !== 'downloading') await deps.wanted.update(kind, id, { status: 'downloading' });
        } else if (seen.state === 'completed') {
          try {
            await deps.grabs.put(entry.key, await importDownload(entry, seen));
            report.imported.push(entry.key);
          } catch (err) {
            // Not the release's fault (no root, a clash): kept open, reported, tried again next run.
            const message = err instanceof Error ? err.message : String(err);
            await deps.grabs.put(entry.key, { ...rec, state: 'importPending', clientState: seen.clientState, progress: 1, importError: message });
            report.errors.push(`${entry.key}: ${message}`);
          }
        } else {
          const at = deps.now().toISOString();
          await deps.blocklist.add({
            title: rec.title ?? '',
            ...(rec.link ? { link: rec.link } : {}),
            ...(typeof rec.protocol === 'string' ? { protocol: rec.protocol } : {}),
            reason: seen.reason,
          });
          await deps.grabs.put(entry.key, { ...rec, state: 'failed', clientState: seen.clientState, failedAt: at, failure: seen.reason });
          if (await deps.wanted.get(kind, id)) {
            await deps.wanted.update(kind, id, { status: 'failed' });
            await deps.searchAgain?.(kind, id);
          }
          report.failed.push(entry.key);
        }
      }
      return report;
    },
  };
}

export type DownloadTracker = ReturnType<typeof createDownloadTracker>;
