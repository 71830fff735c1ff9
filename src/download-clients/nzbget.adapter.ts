import type { ClientAdapter, ClientSettings, DownloadClient } from './download-client.js';
import { type NzbgetSettings, nzbgetAppendFile, nzbgetAppendUrl, nzbgetTest } from './nzbget.js';

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
      addLink: (link, opts) => nzbgetAppendUrl(withCategory(opts?.category), link, opts?.title),
      addFile: (file, opts) => nzbgetAppendFile(withCategory(opts?.category), file),
    };
  },
};
