import { updateDocument } from '../settings/settings.service.js';
import type { SettingsDocumentStore } from '../settings/settings.store.js';
import { setOwn, withDefaults } from '../settings/settings.types.js';
import type { AuditActor, AuditRecorder } from '../system/audit.types.js';
import { defaultSubtitleAutomationConfig, type SubtitleAutomationConfig, type SubtitleAutomationConfigUpdate } from './subtitles.types.js';

export const SUBTITLE_AUTOMATION_KEY = 'subtitle-automation';

export function effectiveSubtitleAutomationConfig(stored: unknown): SubtitleAutomationConfig {
  return withDefaults(defaultSubtitleAutomationConfig(), stored);
}

export function createSubtitleAutomationConfigService(deps: { settings: Pick<SettingsDocumentStore, 'get' | 'put'>; audit: AuditRecorder }) {
  return {
    async get(): Promise<SubtitleAutomationConfig> {
      return effectiveSubtitleAutomationConfig(await deps.settings.get(SUBTITLE_AUTOMATION_KEY));
    },
    /** `{...defaults, ...stored, ...body}`, written in full (FORMATS.md §3.14). */
    async save(update: SubtitleAutomationConfigUpdate, by: AuditActor = 'system'): Promise<SubtitleAutomationConfig> {
      return updateDocument(
        deps.settings,
        SUBTITLE_AUTOMATION_KEY,
        (current) => {
          const next = effectiveSubtitleAutomationConfig(current);
          for (const k of Object.keys(update)) if (update[k] !== undefined) setOwn(next, k, update[k]);
          return next;
        },
        { audit: deps.audit, by },
      );
    },
  };
}
export type SubtitleAutomationConfigService = ReturnType<typeof createSubtitleAutomationConfigService>;
