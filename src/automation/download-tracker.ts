/**
 * Grab -> track -> import (the second half of the automation loop). One run (a queued job) asks
 * each client about the grabs it holds (by the id the grab recorded: qBittorrent hash, SABnzbd
 * nzo_id), writes progress and state onto the grab record (the activity queue), and imports a
 * finished download: its main media file is hardlinked (copied across filesystems) into the
 * kind's library root, the library item gets `filePath`/`fileSize`/`quality`, the wanted item
 * becomes `imported`, and the grab record keeps both the grab and the import (history). A failed
 * download blocklists the release, marks the wanted item `failed` and queues a new search.
 */
import { extname, join } from 'node:path';
import { type QbitTorrent, qbitList } from '../download-clients/qbittorrent.js';
import { type SabHistorySlot, type SabQueueSlot, sabHistory, sabQueue } from '../download-clients/sabnzbd.js';
import { clientSettings, isActive, sabSettings } from '../downloaders/downloaders.clients.js';
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
const FINAL = new Set(['imported', 'failed']);
/** qBittorrent states of a torrent whose data is complete and checked. */
const QBIT_DONE = /^(uploading|stalledUP|pausedUP|stoppedUP|queuedUP|forcedUP)$/;
const QBIT_FAILED = new Set(['error', 'missingFiles']);

export interface TrackerDeps {
  grabs: Pick<GrabsStore, 'list' | 'put'>;
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

function fromQbit(t: QbitTorrent): Seen {
  if (QBIT_FAILED.has(t.state)) return { state: 'failed', clientState: t.state, reason: `qBittorrent reports ${t.state}` };
  const contentPath = t.content_path ?? (t.save_path ? join(t.save_path, t.name) : undefined);
  if (t.progress >= 1 && QBIT_DONE.test(t.state) && contentPath) return { state: 'completed', clientState: t.state, contentPath, size: t.size };
  return { state: 'downloading', clientState: t.state, progress: t.progress, size: t.size, eta: t.eta > 0 && t.eta < 8_640_000 ? t.eta : undefined };
}

function fromSabQueue(s: SabQueueSlot): Seen {
  const pct = Number(s.percentage ?? 0);
  const mb = Number(s.mb ?? NaN);
  return {
    state: 'downloading',
    clientState: s.status ?? 'Queued',
    progress: Number.isFinite(pct) ? pct / 100 : 0,
    ...(Number.isFinite(mb) ? { size: Math.round(mb * 1024 * 1024) } : {}),
  };
}

function fromSabHistory(s: SabHistorySlot): Seen | undefined {
  if (s.status === 'Completed' && s.storage) return { state: 'completed', clientState: s.status, contentPath: s.storage, size: s.bytes };
  if (s.status === 'Failed') return { state: 'failed', clientState: s.status, reason: `SABnzbd: ${s.fail_message || 'failed'}` };
  return s.status ? { state: 'downloading', clientState: s.status, progress: 1 } : undefined;
}

export function createDownloadTracker(deps: TrackerDeps) {
  /** Asks each client once for everything it holds: a lookup by client and id. */
  async function lookups(clients: Set<string>): Promise<{ find: (client: string, id: string) => Seen | undefined; errors: string[] }> {
    const settings = await deps.downloaders.get();
    const byClient = new Map<string, Map<string, Seen>>();
    const errors: string[] = [];
    if (clients.has('qbittorrent')) {
      const s = isActive(settings.qbittorrent) ? clientSettings(settings.qbittorrent) : undefined;
      const r = s ? await qbitList(s) : undefined;
      if (r?.ok) byClient.set('qbittorrent', new Map(r.torrents.map((t) => [t.hash.toLowerCase(), fromQbit(t)])));
      else errors.push(`qbittorrent: ${r ? r.error : 'not configured'}`);
    }
    if (clients.has('sabnzbd')) {
      const s = isActive(settings.sabnzbd) ? sabSettings(settings.sabnzbd) : undefined;
      const [q, h] = s ? await Promise.all([sabQueue(s), sabHistory(s, 200)]) : [undefined, undefined];
      const m = new Map<string, Seen>();
      if (q?.ok) for (const slot of q.slots) m.set(slot.nzo_id, fromSabQueue(slot));
      if (h?.ok)
        for (const slot of h.slots) {
          const seen = fromSabHistory(slot);
          if (seen) m.set(slot.nzo_id, seen);
        }
      if (!q?.ok || !h?.ok) errors.push(`sabnzbd: ${!s ? 'not configured' : !q?.ok ? q?.error : !h?.ok ? h?.error : ''}`);
      byClient.set('sabnzbd', m);
    }
    return { find: (client, id) => byClient.get(client)?.get(client === 'qbittorrent' ? id.toLowerCase() : id), errors };
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

  const isOpen = ({ record: r }: GrabEntry) => r.ok === true && typeof r.downloadId === 'string' && typeof r.client === 'string' && !FINAL.has(String(r.state));

  return {
    /** Is any grab waiting for its download (the schedule queues a poll only then)? */
    async hasOpen(): Promise<boolean> {
      return (await deps.grabs.list()).some(isOpen);
    },

    /** One pass over every grab that has a client id and is not finished. */
    async trackOnce(): Promise<TrackReport> {
      const report: TrackReport = { tracked: 0, imported: [], failed: [], errors: [] };
      const open = (await deps.grabs.list()).filter(isOpen);
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
