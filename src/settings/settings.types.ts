import { z } from 'zod';

/**
 * Whole legacy documents stored one row per file in the `settings` table (key = file name
 * without `.json`). These six belong to this domain; `indexers`, `quality` and
 * `quality-profiles` use the same table and store but belong to their own domains.
 */
export const SETTINGS_DOCUMENT_KEYS = ['settings', 'verify', 'metadata', 'organizer', 'subtitle-automation', 'monitor'] as const;
export type SettingsDocumentKey = (typeof SETTINGS_DOCUMENT_KEYS)[number];

/** A legacy document: a JSON object whose unknown keys always survive. */
export type SettingsDocument = Record<string, unknown>;

/** One `settings.json` media folder (FORMATS.md §3.12). */
export interface MediaFolder {
  path: string;
  type: string;
  enabled?: boolean;
  [key: string]: unknown;
}

/** `settings.json` (app/onboarding), FORMATS.md §3.12. */
export interface AppSettings {
  setupCompleted: boolean;
  mediaFolders: MediaFolder[];
  lastScanDate?: string;
  /** Read (plaintext in the legacy file) by the subtitle search; sealed in the database. */
  openSubtitlesApiKey?: string;
  [key: string]: unknown;
}

export function defaultAppSettings(): AppSettings {
  return { setupCompleted: false, mediaFolders: [] };
}

/** `monitor.json` (SAB auto-verify poller), FORMATS.md §3.15. */
export interface MonitorDocument {
  sab?: { done?: string[]; [key: string]: unknown };
  [key: string]: unknown;
}

/** The legacy readers spread a stored document over defaults; anything but an object counts as `{}`. */
export function asDocument(value: unknown): SettingsDocument {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as SettingsDocument) : {};
}

/** A request body that must be a JSON object (documents replaced or merged from it). */
export const documentBody = z.record(z.string(), z.unknown(), { error: 'body must be a JSON object' });

export function hasOwn(obj: object, key: string): boolean {
  return Object.hasOwn(obj, key);
}

/** Assigns a key as an own data property (also `__proto__`, which plain assignment would not). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

/** `{...defaults, ...stored}` (the legacy readers' spread) without `__proto__` surprises. */
export function withDefaults<T extends Record<string, unknown>>(defaults: T, stored: unknown): T {
  const out: Record<string, unknown> = { ...defaults };
  const doc = asDocument(stored);
  for (const k of Object.keys(doc)) setOwn(out, k, doc[k]);
  return out as T;
}
