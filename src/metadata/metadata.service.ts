import { updateDocument } from '../settings/settings.service.js';
import type { SettingsDocumentStore } from '../settings/settings.store.js';
import { asDocument, hasOwn, setOwn } from '../settings/settings.types.js';
import type { AuditActor, AuditRecorder } from '../system/audit.types.js';
import type { MetadataProviderConfig, MetadataSettings, MetadataSettingsUpdate, MetadataSettingsView } from './metadata.types.js';

export const METADATA_SETTINGS_KEY = 'metadata';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);

/** The legacy defaults: language en-US, no adult results, MusicBrainz on. */
function providerConfig(doc: unknown): MetadataProviderConfig {
  const d = asDocument(doc);
  const tmdb = asDocument(d.tmdb);
  const mb = asDocument(d.musicbrainz);
  const apiKey = str(tmdb.apiKey);
  return {
    tmdb: { ...(apiKey ? { apiKey } : {}), language: str(tmdb.language) || 'en-US', includeAdult: bool(tmdb.includeAdult) ?? false },
    musicbrainz: { enabled: bool(mb.enabled) ?? true },
  };
}

function view(doc: unknown): MetadataSettingsView {
  const c = providerConfig(doc);
  return {
    tmdb: { hasApiKey: Boolean(c.tmdb.apiKey), language: c.tmdb.language, includeAdult: c.tmdb.includeAdult },
    musicbrainz: { enabled: c.musicbrainz.enabled },
  };
}

/**
 * Merge of a settings update into the stored document. Unlike legacy (which rewrote the file with
 * only its known keys) every other key of the document and of its sections is kept.
 */
export function mergeMetadataSettings(current: unknown, data: MetadataSettingsUpdate): MetadataSettings {
  const existing = asDocument(current);
  const et = asDocument(existing.tmdb);
  const em = asDocument(existing.musicbrainz);
  const apiKey = data.tmdb?.apiKey || str(et.apiKey);
  const tmdb: Record<string, unknown> = {};
  if (apiKey) tmdb.apiKey = apiKey;
  tmdb.language = data.tmdb?.language ?? str(et.language) ?? 'en-US';
  tmdb.includeAdult = data.tmdb?.includeAdult ?? bool(et.includeAdult) ?? false;
  for (const k of Object.keys(et)) if (!hasOwn(tmdb, k) && k !== 'apiKey') setOwn(tmdb, k, et[k]);
  const musicbrainz: Record<string, unknown> = { enabled: data.musicbrainz?.enabled ?? bool(em.enabled) ?? true };
  for (const k of Object.keys(em)) if (!hasOwn(musicbrainz, k)) setOwn(musicbrainz, k, em[k]);
  const next: MetadataSettings = { tmdb, musicbrainz };
  for (const k of Object.keys(existing)) if (k !== 'tmdb' && k !== 'musicbrainz') setOwn(next, k, existing[k]);
  return next;
}

export function createMetadataSettingsService(deps: { settings: Pick<SettingsDocumentStore, 'get' | 'put'>; audit: AuditRecorder }) {
  return {
    async view(): Promise<MetadataSettingsView> {
      return view(await deps.settings.get(METADATA_SETTINGS_KEY));
    },
    async save(data: MetadataSettingsUpdate, by: AuditActor = 'system'): Promise<MetadataSettingsView> {
      const next = await updateDocument(deps.settings, METADATA_SETTINGS_KEY, (current) => mergeMetadataSettings(current, data), { audit: deps.audit, by });
      return view(next);
    },
    /** For the metadata search routes: the plaintext TMDB key and the provider options. */
    async providerConfig(): Promise<MetadataProviderConfig> {
      return providerConfig(await deps.settings.get(METADATA_SETTINGS_KEY));
    },
  };
}
export type MetadataSettingsService = ReturnType<typeof createMetadataSettingsService>;
