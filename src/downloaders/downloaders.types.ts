import { z } from 'zod';

/** The three download clients the legacy `downloaders.json` knows (FORMATS.md §3.3). */
export const CLIENT_TYPES = ['qbittorrent', 'nzbget', 'sabnzbd'] as const;
export type ClientType = (typeof CLIENT_TYPES)[number];

export function isClientType(value: unknown): value is ClientType {
  return typeof value === 'string' && (CLIENT_TYPES as readonly string[]).includes(value);
}

/**
 * One section of `downloaders.json`, as the legacy file holds it but with secrets in PLAINTEXT
 * (each store encrypts at rest its own way). Known keys typed; any other key survives as is.
 * qBittorrent/NZBGet use `password`, SABnzbd uses `apiKey`; NZBGet has no `category`.
 */
export interface DownloaderSection {
  enabled?: boolean;
  baseUrl?: string;
  username?: string;
  password?: string;
  apiKey?: string;
  timeoutMs?: number;
  category?: string;
  [key: string]: unknown;
}

/** The whole document: a missing section means "never saved". */
export type DownloadersSettings = Partial<Record<ClientType, DownloaderSection>>;

/** What the API shows (API.md §0.5 DownloadersView): never a secret. */
export interface DownloadersView {
  qbittorrent: { enabled: boolean; hasPassword: boolean; baseUrl?: string; username?: string; category?: string; timeoutMs?: number };
  nzbget: { enabled: boolean; hasPassword: boolean; baseUrl?: string; username?: string; timeoutMs?: number };
  sabnzbd: { enabled: boolean; hasApiKey: boolean; baseUrl?: string; category?: string; timeoutMs?: number };
}

// ---- request bodies ----

/** Numbers or numeric strings (legacy accepted both); anything else is treated as "not given". */
const timeoutInput = z.union([z.number(), z.string(), z.null()]).optional();

/**
 * `null` for a secret is our addition: it clears the stored secret (omitting it or sending ""
 * keeps the stored one, for every client: see downloaders.service.ts).
 */
const qbittorrentInput = z.object({
  enabled: z.boolean().optional(),
  baseUrl: z.string().optional(),
  username: z.string().optional(),
  password: z.string().nullable().optional(),
  timeoutMs: timeoutInput,
  category: z.string().optional(),
});
const nzbgetInput = z.object({
  enabled: z.boolean().optional(),
  baseUrl: z.string().optional(),
  username: z.string().optional(),
  password: z.string().nullable().optional(),
  timeoutMs: timeoutInput,
});
const sabnzbdInput = z.object({
  enabled: z.boolean().optional(),
  baseUrl: z.string().optional(),
  apiKey: z.string().nullable().optional(),
  timeoutMs: timeoutInput,
  category: z.string().optional(),
});

/** POST /api/settings/downloaders. Unknown keys are dropped (legacy did the same). */
export const saveDownloadersBody = z.object({
  qbittorrent: qbittorrentInput.nullable().optional(),
  nzbget: nzbgetInput.nullable().optional(),
  sabnzbd: sabnzbdInput.nullable().optional(),
});
export type SaveDownloadersBody = z.infer<typeof saveDownloadersBody>;

/** POST /api/settings/downloaders/test: `client` is checked by hand for the legacy error codes. */
export const testDownloaderBody = z.object({
  client: z.unknown().optional(),
  settings: z
    .object({
      enabled: z.boolean().optional(),
      baseUrl: z.string().optional(),
      username: z.string().optional(),
      password: z.string().optional(),
      apiKey: z.string().optional(),
      timeoutMs: timeoutInput,
      category: z.string().optional(),
    })
    .nullable()
    .optional(),
});
export type TestDownloaderBody = z.infer<typeof testDownloaderBody>;
