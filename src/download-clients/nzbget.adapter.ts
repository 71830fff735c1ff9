import type { ClientResult } from '../http-client/http.js';
import type { ClientAdapter, ClientHistoryEntry, ClientJob, ClientSettings, DownloadClient, DownloadState } from './download-client.js';
import {
  type NzbgetGroup,
  type NzbgetHistoryItem,
  nzbgetAction,
  nzbgetAppendFile,
  nzbgetAppendUrl,
  nzbgetGroups,
  nzbgetHistory,
  nzbgetTest,
} from './nzbget.js';

/** The NZBID NZBGet answers an append with, as the grab's downloadId. */
const withId = (r: ClientResult<{ nzbId?: number }>): ClientResult<{ downloadId?: string }> =>
  r.ok && r.nzbId !== undefined ? { ...r, downloadId: String(r.nzbId) } : r;

const isHttp = (link: string): boolean => /^https?:\/\//i.test(link);

/** NZBGet splits 64-bit sizes into two 32-bit halves. */
const bytes = (lo: number | undefined, hi: number | undefined): number | undefined => (lo === undefined ? undefined : (hi ?? 0) * 2 ** 32 + lo);

/** Queue states: downloading, queued or paused; everything after the download (PP_QUEUED .. PP_FINISHED) is post-processing. */
function groupState(status: string): DownloadState {
  if (status === 'DOWNLOADING') return 'downloading';
  if (status === 'PAUSED') return 'paused';
  if (status === 'QUEUED' || status === 'FETCHING') return 'queued';
  return 'processing';
}

function toJob(g: NzbgetGroup): ClientJob {
  const size = bytes(g.FileSizeLo, g.FileSizeHi);
  const left = bytes(g.RemainingSizeLo, g.RemainingSizeHi);
  const rate = typeof g.DownloadRate === 'number' && g.DownloadRate > 0 ? g.DownloadRate : undefined;
  return {
    id: String(g.NZBID),
    title: g.NZBName,
    state: groupState(g.Status),
    status: g.Status,
    ...(size !== undefined && size > 0 && left !== undefined ? { progress: Math.min(1, Math.max(0, (size - left) / size)) } : {}),
    ...(size !== undefined ? { sizeBytes: size } : {}),
    ...(rate !== undefined ? { speedBps: rate, ...(left !== undefined ? { etaSec: Math.round(left / rate) } : {}) } : {}),
    category: g.Category,
  };
}

/** SUCCESS/* is done (the files are in FinalDir, else DestDir); FAILURE/*, DELETED/* and WARNING/* did not finish cleanly. */
function toEntry(h: NzbgetHistoryItem): ClientHistoryEntry {
  const contentPath = h.FinalDir || h.DestDir || undefined;
  const state = h.Status.startsWith('SUCCESS') && contentPath ? 'completed' : h.Status.startsWith('SUCCESS') ? 'processing' : 'failed';
  const size = bytes(h.FileSizeLo, h.FileSizeHi);
  return {
    id: String(h.NZBID),
    title: h.Name,
    status: h.Status,
    state,
    ...(h.HistoryTime !== undefined ? { at: h.HistoryTime } : {}),
    category: h.Category,
    ...(state === 'completed' ? { contentPath } : {}),
    ...(size !== undefined ? { sizeBytes: size } : {}),
    ...(state === 'failed' ? { failure: `NZBGet: ${h.Status}` } : {}),
  };
}

/** NZBGet (JSON-RPC): http(s) NZB links and uploads, queue (`listgroups`), history, pause/resume/delete (`editqueue`). */
export const nzbgetAdapter: ClientAdapter = {
  protocol: 'usenet',
  can: ['addFile', 'list', 'history', 'act'],
  create(settings: ClientSettings): DownloadClient {
    const s = settings;
    const withCategory = (category: string | undefined): ClientSettings => (category !== undefined ? { ...s, category } : s);
    return {
      kind: 'nzbget',
      protocol: 'usenet',
      baseUrl: s.baseUrl,
      test: () => nzbgetTest(s),
      accepts: isHttp,
      addLink: async (link, opts) => withId(await nzbgetAppendUrl(withCategory(opts?.category), link, opts?.title)),
      addFile: async (file, opts) => withId(await nzbgetAppendFile(withCategory(opts?.category), file)),
      async list(query) {
        const r = await nzbgetGroups(s);
        if (!r.ok) return r;
        const ids = query?.ids ? new Set(query.ids) : undefined;
        const jobs = r.items.map(toJob);
        return { ok: true, status: r.status, jobs: ids ? jobs.filter((j) => ids.has(j.id)) : jobs };
      },
      async history(limit) {
        const r = await nzbgetHistory(s);
        if (!r.ok) return r;
        return { ok: true, status: r.status, entries: r.items.slice(0, limit).map(toEntry) };
      },
      act: (op, id) => nzbgetAction(s, op, id),
    };
  },
};
