import { updateDocument } from '../settings/settings.service.js';
import type { SettingsDocumentStore } from '../settings/settings.store.js';
import { asDocument, setOwn, withDefaults } from '../settings/settings.types.js';
import type { AuditActor, AuditRecorder } from '../system/audit.types.js';
import { defaultNamingConfig, defaultOrganizerConfig, type NamingConfig, type OrganizerConfig, type OrganizerConfigUpdate } from './organizer.types.js';

export const ORGANIZER_KEY = 'organizer';

/** What the legacy reader served: the stored document spread over the defaults. */
export function effectiveOrganizerConfig(stored: unknown): OrganizerConfig {
  return withDefaults(defaultOrganizerConfig(), stored);
}

function merged(base: unknown, update: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...asDocument(base) };
  for (const k of Object.keys(update)) if (update[k] !== undefined) setOwn(out, k, update[k]);
  return out;
}

/**
 * FORMATS.md §3.13: `{...current, ...update}`, with `destinations` and `namingConfig` merged one
 * level deep (by media type); the first save writes the full merged object with the defaults.
 */
export function mergeOrganizerConfig(stored: unknown, update: OrganizerConfigUpdate): OrganizerConfig {
  const current = effectiveOrganizerConfig(stored);
  const next: Record<string, unknown> = { ...current };
  for (const k of ['defaultOperation', 'conflictResolution', 'cleanupEmptyFolders'] as const) {
    if (update[k] !== undefined) next[k] = update[k];
  }
  next.destinations = merged(current.destinations, update.destinations ?? {});
  next.namingConfig = update.namingConfig ? merged(current.namingConfig, update.namingConfig) : current.namingConfig;
  return next as OrganizerConfig;
}

export function createOrganizerConfigService(deps: { settings: Pick<SettingsDocumentStore, 'get' | 'put'>; audit: AuditRecorder }) {
  return {
    async get(): Promise<{ config: OrganizerConfig; defaultNamingConfig: NamingConfig }> {
      return { config: effectiveOrganizerConfig(await deps.settings.get(ORGANIZER_KEY)), defaultNamingConfig: defaultNamingConfig() };
    },
    async save(update: OrganizerConfigUpdate, by: AuditActor = 'system'): Promise<OrganizerConfig> {
      return updateDocument(deps.settings, ORGANIZER_KEY, (current) => mergeOrganizerConfig(current, update), { audit: deps.audit, by });
    },
  };
}
export type OrganizerConfigService = ReturnType<typeof createOrganizerConfigService>;
