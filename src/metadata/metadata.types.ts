import { z } from 'zod';

/** `metadata.json` (FORMATS.md §3.11); `tmdb.apiKey` is plaintext in memory, sealed at rest. */
export interface MetadataSettings {
  tmdb?: { apiKey?: string; language?: string; includeAdult?: boolean; [key: string]: unknown };
  musicbrainz?: { enabled?: boolean; [key: string]: unknown };
  [key: string]: unknown;
}

/** What GET/POST /api/metadata/settings show: never the key, only whether one is set. */
export interface MetadataSettingsView {
  tmdb: { hasApiKey: boolean; language: string; includeAdult: boolean };
  musicbrainz: { enabled: boolean };
}

/** What the metadata search routes need (plaintext key: never log or return it). */
export interface MetadataProviderConfig {
  tmdb: { apiKey?: string; language: string; includeAdult: boolean };
  musicbrainz: { enabled: boolean };
}

/** POST /api/metadata/settings (legacy zod schema; an omitted or empty apiKey keeps the stored one). */
export const metadataSettingsBody = z.object({
  tmdb: z.object({ apiKey: z.string().optional(), language: z.string().optional(), includeAdult: z.boolean().optional() }).optional(),
  musicbrainz: z.object({ enabled: z.boolean().optional() }).optional(),
});
export type MetadataSettingsUpdate = z.infer<typeof metadataSettingsBody>;
