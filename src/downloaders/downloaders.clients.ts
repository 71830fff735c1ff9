import type { ClientSettings, DownloadClient } from '../download-clients/download-client.js';
import { clientFor } from '../download-clients/registry.js';
import { clampTimeout } from '../http-client/http.js';
import type { ClientType, DownloaderSection, DownloadersSettings } from './downloaders.types.js';

/** Stored download-client sections -> the adapter every caller uses (`activeClient`, `sectionClient`). */

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const secretOf = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function timeoutOf(section: DownloaderSection, fixed?: number): number {
  return fixed ?? clampTimeout(section.timeoutMs);
}

/** The adapter settings a stored section holds (undefined without a baseUrl); secrets as stored (plaintext). */
export function clientSettings(section: DownloaderSection, fixedTimeout?: number): ClientSettings | undefined {
  const baseUrl = str(section.baseUrl);
  if (!baseUrl) return undefined;
  return {
    baseUrl,
    username: str(section.username) || undefined,
    password: str(section.password),
    apiKey: secretOf(section.apiKey),
    category: str(section.category) || undefined,
    timeoutMs: timeoutOf(section, fixedTimeout),
  };
}

/** The client a grab or an activity call may use: the stored `enabled` flag AND a baseUrl (legacy grab rule). */
export function isActive(section: DownloaderSection | undefined): section is DownloaderSection {
  return !!section && section.enabled === true && !!str(section.baseUrl);
}

/** The adapter for one section, whether or not it is enabled (undefined when a needed setting is missing). */
export function sectionClient(kind: ClientType, section: DownloaderSection, fixedTimeout?: number): DownloadClient | undefined {
  const s = clientSettings(section, fixedTimeout);
  return s ? clientFor(kind, s) : undefined;
}

/** The adapter for `kind` when that client is enabled and fully set up, else undefined. */
export function activeClient(settings: DownloadersSettings, kind: ClientType): DownloadClient | undefined {
  const section = settings[kind];
  return isActive(section) ? sectionClient(kind, section) : undefined;
}
