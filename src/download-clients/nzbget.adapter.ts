import type { ClientResult } from '../http-client/http.js';
import type { ClientAdapter, ClientSettings, DownloadClient } from './download-client.js';
import { type NzbgetSettings, nzbgetAppendFile, nzbgetAppendUrl, nzbgetTest } from './nzbget.js';

/** The NZBID NZBGet answers an append with, as the grab's downloadId. */
const withId = (r: ClientResult<{ nzbId?: number }>): ClientResult<{ downloadId?: string }> =>
  r.ok && r.nzbId !== undefined ? { ...r, downloadId: String(r.nzbId) } : r;

const isHttp = (link: string): boolean => /^https?:\/\//i.test(link);

/** NZBGet: http(s) NZB links and uploads (no queue, history or actions yet). */
export const nzbgetAdapter: ClientAdapter = {
  protocol: 'usenet',
  can: ['addFile'],
  create(settings: ClientSettings): DownloadClient {
    const s: NzbgetSettings = {
      baseUrl: settings.baseUrl,
      username: settings.username,
      password: settings.password,
      category: settings.category,
      timeoutMs: settings.timeoutMs,
    };
    const withCategory = (category: string | undefined): NzbgetSettings => (category !== undefined ? { ...s, category } : s);
    return {
      kind: 'nzbget',
      protocol: 'usenet',
      baseUrl: s.baseUrl,
      test: () => nzbgetTest(s),
      accepts: isHttp,
      addLink: async (link, opts) => withId(await nzbgetAppendUrl(withCategory(opts?.category), link, opts?.title)),
      addFile: async (file, opts) => withId(await nzbgetAppendFile(withCategory(opts?.category), file)),
    };
  },
};
