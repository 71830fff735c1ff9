import { z } from 'zod';

/** `subtitle-automation.json` (FORMATS.md §3.14); unknown keys survive (legacy merged any key). */
export interface SubtitleAutomationConfig {
  enabled: boolean;
  autoSyncOnDownload: boolean;
  autoGenerateWhenMissing: boolean;
  preferredLanguages: string[];
  whisperModel: 'tiny' | 'base' | 'small' | 'medium' | 'large' | string;
  maxSyncOffsetMs: number;
  scanScheduleHours: number;
  [key: string]: unknown;
}

export function defaultSubtitleAutomationConfig(): SubtitleAutomationConfig {
  return {
    enabled: true,
    autoSyncOnDownload: true,
    autoGenerateWhenMissing: false,
    preferredLanguages: ['en'],
    whisperModel: 'base',
    maxSyncOffsetMs: 5000,
    scanScheduleHours: 24,
  };
}

/**
 * POST /api/subtitles/automation/config: a partial config merged over the current one. Legacy
 * merged any body unchecked; the known keys are now type-checked (400 naming the field), other
 * keys are still merged as they come.
 */
export const subtitleAutomationConfigBody = z.looseObject({
  enabled: z.boolean().optional(),
  autoSyncOnDownload: z.boolean().optional(),
  autoGenerateWhenMissing: z.boolean().optional(),
  preferredLanguages: z.array(z.string()).optional(),
  whisperModel: z.enum(['tiny', 'base', 'small', 'medium', 'large']).optional(),
  maxSyncOffsetMs: z.number().min(0).optional(),
  scanScheduleHours: z.number().min(0).optional(),
});
export type SubtitleAutomationConfigUpdate = z.infer<typeof subtitleAutomationConfigBody>;
