import { updateDocument } from '../settings/settings.service.js';
import type { SettingsDocumentStore } from '../settings/settings.store.js';
import { type AppSettings, defaultAppSettings, withDefaults } from '../settings/settings.types.js';
import type { AuditActor, AuditRecorder } from '../system/audit.types.js';
import type { OnboardingSetup } from './onboarding.types.js';

export const APP_SETTINGS_KEY = 'settings';

/** `settings.json` as the legacy reader served it: the stored document over the defaults. */
export function effectiveAppSettings(stored: unknown): AppSettings {
  return withDefaults(defaultAppSettings(), stored);
}

export function createOnboardingService(deps: { settings: Pick<SettingsDocumentStore, 'get' | 'put'>; audit: AuditRecorder; now: () => Date }) {
  return {
    async setupCompleted(): Promise<boolean> {
      return effectiveAppSettings(await deps.settings.get(APP_SETTINGS_KEY)).setupCompleted === true;
    },
    /** Replaces `mediaFolders` (each `enabled: true`) and marks setup complete; other keys stay. */
    async setup(body: OnboardingSetup, by: AuditActor = 'system'): Promise<AppSettings> {
      return updateDocument(
        deps.settings,
        APP_SETTINGS_KEY,
        (current) => {
          const next = effectiveAppSettings(current);
          next.mediaFolders = body.folders.map((f) => ({ path: f.path, type: f.type, enabled: true }));
          next.setupCompleted = true;
          return next;
        },
        { audit: deps.audit, by },
      );
    },
    /** Legacy: records `lastScanDate` only; no scan runs (the library scanner is separate). */
    async markScanned(by: AuditActor = 'system'): Promise<AppSettings> {
      const at = deps.now().toISOString();
      return updateDocument(
        deps.settings,
        APP_SETTINGS_KEY,
        (current) => {
          const next = effectiveAppSettings(current);
          next.lastScanDate = at;
          return next;
        },
        { audit: deps.audit, by },
      );
    },
    /** The whole `settings.json` view other domains read (scanner folders, OpenSubtitles key). */
    async appSettings(): Promise<AppSettings> {
      return effectiveAppSettings(await deps.settings.get(APP_SETTINGS_KEY));
    },
  };
}
export type OnboardingService = ReturnType<typeof createOnboardingService>;
