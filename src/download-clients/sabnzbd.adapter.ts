import type { ClientResult } from '../http-client/http.js';
import type { ClientAdapter, ClientHistoryEntry, ClientJob, ClientSettings, DownloadClient, DownloadState } from './download-client.js';
import { type SabHistorySlot, type SabQueueSlot, type SabSettings, sabAction, sabAddFile, sabAddUrl, sabHistory, sabQueue, sabTest } from './sabnzbd.js';

const num = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
};

const isHttp = (link: string): boolean => /^https?:\/\//i.test(link);

const MIB = 1024 * 1024;

/** SABnzbd's `timeleft` ("0:05:12", "1:02:03:04" with days) in seconds. */
export function timeLeftSeconds(text: string | undefined): number | undefined {
  if (!text || !/^\d+(:\d+){1,3}$/.test(text)) return undefined;
  const parts = text.split(':').map(Number);
  const [d, h, m, sec] = parts.length === 4 ? parts : [0, ...(parts.length === 3 ? parts : [0, ...parts])];
  return ((d * 24 + h) * 60 + m) * 60 + sec;
}

function queueState(status: string | undefined): DownloadState {
  if (status === 'Downloading') return 'downloading';
  if (status === 'Paused') return 'paused';
  return 'queued'; // Queued, Fetching, Grabbing, Propagating, Checking
}

/** SABnzbd gives sizes, not a fraction: progress = (mb - mbleft) / mb, clamped to 0..1. */
function toJob(slot: SabQueueSlot): ClientJob {
  const mb = num(slot.mb);
  const left = num(slot.mbleft);
  const progress = mb !== undefined && mb > 0 && left !== undefined ? Math.min(1, Math.max(0, (mb - left) / mb)) : undefined;
  return {
    id: slot.nzo_id,
    title: slot.filename,
    state: queueState(slot.status),
    progress,
    status: slot.status,
    ...(mb !== undefined ? { sizeBytes: Math.round(mb * MIB) } : {}),
    etaSec: timeLeftSeconds(slot.timeleft),
    eta: slot.timeleft,
    category: slot.cat,
  };
}

/** History: Completed (in `storage`) and Failed are final; anything else is still being verified, repaired, unpacked or moved. */
function toEntry(slot: SabHistorySlot): ClientHistoryEntry {
  const state = slot.status === 'Completed' && slot.storage ? 'completed' : slot.status === 'Failed' ? 'failed' : 'processing';
  return {
    id: slot.nzo_id,
    title: slot.name,
    status: slot.status,
    state,
    at: slot.completed,
    category: slot.cat,
    ...(state === 'completed' ? { contentPath: slot.storage } : {}),
    ...(num(slot.bytes) !== undefined ? { sizeBytes: num(slot.bytes) } : {}),
    ...(state === 'failed' ? { failure: `SABnzbd: ${slot.fail_message || 'failed'}` } : {}),
  };
}

/** The nzo_id SABnzbd answers an add with, as the grab's downloadId. */
const withId = (r: ClientResult<{ nzoId?: string }>): ClientResult<{ downloadId?: string }> => (r.ok && r.nzoId ? { ...r, downloadId: r.nzoId } : r);

/** SABnzbd: http(s) NZB links and uploads, queue, history, pause/resume/delete; needs the apiKey. */
export const sabAdapter: ClientAdapter = {
  protocol: 'usenet',
  can: ['addFile', 'list', 'history', 'act'],
  requires: 'apiKey',
  create(settings: ClientSettings): DownloadClient {
    const s: SabSettings = { baseUrl: settings.baseUrl, apiKey: settings.apiKey ?? '', category: settings.category, timeoutMs: settings.timeoutMs };
    const withCategory = (category: string | undefined): SabSettings => (category !== undefined ? { ...s, category } : s);
    return {
      kind: 'sabnzbd',
      protocol: 'usenet',
      baseUrl: s.baseUrl,
      notedCategory: s.category,
      test: () => sabTest(s),
      accepts: isHttp,
      addLink: async (link, opts) => withId(await sabAddUrl(withCategory(opts?.category), link, opts?.title)),
      addFile: async (file, opts) => withId(await sabAddFile(withCategory(opts?.category), file)),
      async list(query) {
        const r = await sabQueue(s);
        if (!r.ok) return r;
        const ids = query?.ids ? new Set(query.ids) : undefined;
        const slots = ids ? r.slots.filter((slot) => ids.has(slot.nzo_id)) : r.slots;
        return { ok: true, status: r.status, jobs: slots.map(toJob) };
      },
      async history(limit) {
        const r = await sabHistory(s, limit);
        if (!r.ok) return r;
        return { ok: true, status: r.status, entries: r.slots.map(toEntry) };
      },
      act: (op, id) => sabAction(s, op, id),
    };
  },
};
