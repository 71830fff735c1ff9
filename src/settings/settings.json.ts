import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createJsonFile, type JsonFile, unchanged } from '../legacy/json-file.js';
import { openLegacyDocumentSecrets, sealLegacyDocumentSecrets } from './settings.codec.js';
import type { SettingsDocument } from './settings.types.js';

const KEY_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

/**
 * The `files` side of the settings-document store: key -> `<configDir>/<key>.json`, written the
 * way the legacy server writes it (2-space JSON, no trailing newline, secrets in the legacy
 * ciphertext). A missing file is an absent document (get -> undefined).
 */
export function createSettingsJson(opts: { configDir: string; legacyEncryptionKey: string }) {
  const files = new Map<string, JsonFile<unknown>>();
  // Plaintext view of the last document read or written per key, valid while the file handle
  // still holds the same value (put replaces it): decrypting costs 100k PBKDF2 rounds per value.
  const plain = new Map<string, { source: unknown; value: unknown }>();
  // Ciphertexts that did not decrypt: kept in memory as is and written back unchanged.
  const raw = new Map<string, Set<string>>();

  function fileFor(key: string): JsonFile<unknown> {
    if (!KEY_PATTERN.test(key)) throw new Error(`invalid settings document key "${key}"`);
    let f = files.get(key);
    if (!f) {
      f = createJsonFile<unknown>(join(opts.configDir, `${key}.json`), { defaultValue: () => undefined });
      files.set(key, f);
    }
    return f;
  }

  return {
    async get<T = SettingsDocument>(key: string): Promise<T | undefined> {
      const source = await fileFor(key).read();
      if (source === undefined) return undefined;
      const cached = plain.get(key);
      if (cached && cached.source === source) return structuredClone(cached.value) as T;
      const opened = await openLegacyDocumentSecrets(key, structuredClone(source) as SettingsDocument, opts.legacyEncryptionKey);
      if (opened.undecryptable.length > 0) {
        const set = raw.get(key) ?? new Set<string>();
        for (const path of opened.undecryptable) {
          const v = path.split('.').reduce<unknown>((o, p) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[p] : undefined), opened.value);
          if (typeof v === 'string') set.add(v);
        }
        raw.set(key, set);
      }
      plain.set(key, { source, value: opened.value });
      return structuredClone(opened.value) as T;
    },

    async put(key: string, value: unknown): Promise<void> {
      const file = fileFor(key);
      const copy = structuredClone(value);
      const sealed = await sealLegacyDocumentSecrets(key, copy as SettingsDocument, opts.legacyEncryptionKey, raw.get(key));
      await file.replace(sealed);
      plain.set(key, { source: sealed, value: copy });
    },

    /** Deletes the file (after any write in flight); the next get reads the disk again. */
    async remove(key: string): Promise<void> {
      const file = fileFor(key);
      await file.update(() => unchanged(undefined)).catch(() => undefined); // flush; a damaged file is removed all the same
      await rm(file.path, { force: true });
      files.delete(key);
      plain.delete(key);
    },
  };
}
export type SettingsJson = ReturnType<typeof createSettingsJson>;
