import { join } from 'node:path';
import { isObject } from '../db/json.js';
import { createJsonFile } from '../legacy/json-file.js';
import type { Logger } from '../storage/phased-store.js';
import { openLegacySection, sealLegacySection } from './downloaders.codec.js';
import { CLIENT_TYPES, type DownloadersSettings } from './downloaders.types.js';

type Doc = Record<string, unknown>;

/**
 * `downloaders.json` as the legacy server wrote it (FORMATS.md §3.3): the three sections with
 * secrets in the legacy ciphertext format. Plaintext legacy secrets are read as they are and
 * encrypted on the next save. Unknown top-level keys are kept.
 */
export function createDownloadersJson(opts: { configDir: string; legacyKey: string; log: Logger }) {
  const file = createJsonFile<Doc>(join(opts.configDir, 'downloaders.json'), { defaultValue: () => ({}) });
  // ciphertext -> plaintext: each legacy value costs a 100k-round PBKDF2 to open; do it once.
  const cache = new Map<string, string>();

  return {
    async get(): Promise<DownloadersSettings> {
      const doc = await file.read();
      const out: DownloadersSettings = {};
      if (!isObject(doc)) return out;
      for (const t of CLIENT_TYPES) {
        const section = doc[t];
        if (!isObject(section)) continue;
        const r = await openLegacySection(t, section, opts.legacyKey, cache);
        for (const p of r.problems) {
          opts.log.warn({ store: 'downloaders', client: p.client, field: p.field, reason: p.reason }, 'downloaders.json: secret kept as stored');
        }
        out[t] = r.section;
      }
      if (cache.size > 64) cache.clear();
      return out;
    },

    async save(settings: DownloadersSettings): Promise<void> {
      const current = await file.read();
      const sealed: Doc = {};
      for (const t of CLIENT_TYPES) {
        const s = settings[t];
        if (s === undefined) continue;
        const previous = isObject(current) && isObject(current[t]) ? current[t] : undefined;
        sealed[t] = await sealLegacySection(s, opts.legacyKey, previous, cache);
      }
      if (!isObject(current)) return file.replace(sealed);
      await file.update((draft) => {
        for (const t of CLIENT_TYPES) {
          if (t in sealed) draft[t] = sealed[t];
          else delete draft[t];
        }
      });
    },
  };
}

export type DownloadersJson = ReturnType<typeof createDownloadersJson>;
