import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { legacyDecrypt, legacyEncrypt } from '../../src/security/legacy-crypto.js';
import { createSecretBox } from '../../src/security/secret-box.js';
import { createSettingsJson } from '../../src/settings/settings.json.js';
import { createSettingsSql } from '../../src/settings/settings.sql.js';
import { createTestDatabase, sqlEngines, type TestDatabase, tempDir } from '../helpers/engines.js';

const KEY = 'test-encryption-key-0123456789abcdef';
const TMDB = 'tmdb-plain-key-1234567890abcdef';
const box = createSecretBox(KEY);

for (const engine of sqlEngines()) {
  describe(`settings sql store (${engine})`, () => {
    let t: TestDatabase | undefined;
    afterEach(async () => {
      await t?.cleanup();
      t = undefined;
    });

    it('has a row iff the document exists; put replaces the whole document; remove deletes it', async () => {
      t = await createTestDatabase(engine);
      const s = createSettingsSql(t.db.kysely, box);
      expect(await s.get('organizer')).toBeUndefined();
      await s.put('organizer', { destinations: {}, custom: { a: [1, 2] } });
      expect(await s.get('organizer')).toEqual({ destinations: {}, custom: { a: [1, 2] } });
      await s.put('organizer', { defaultOperation: 'copy' });
      expect(await s.get('organizer')).toEqual({ defaultOperation: 'copy' });
      await s.put('verify', {});
      expect(await s.get('verify')).toEqual({});
      await s.remove('organizer');
      expect(await s.get('organizer')).toBeUndefined();
      const rows = await t.db.kysely.selectFrom('settings').select('key').execute();
      expect(rows.map((r) => r.key)).toEqual(['verify']);
    });

    it('seals the TMDB key in the stored JSON and opens it on read', async () => {
      t = await createTestDatabase(engine);
      const s = createSettingsSql(t.db.kysely, box);
      await s.put('metadata', { tmdb: { apiKey: TMDB, language: 'en-US', includeAdult: false }, musicbrainz: { enabled: true } });
      const raw = await t.db.kysely.selectFrom('settings').select('value').where('key', '=', 'metadata').executeTakeFirstOrThrow();
      expect(raw.value).not.toContain(TMDB);
      expect(raw.value).toContain('enc:v1:');
      expect(await s.get('metadata')).toEqual({ tmdb: { apiKey: TMDB, language: 'en-US', includeAdult: false }, musicbrainz: { enabled: true } });
    });

    it('refuses documents with secrets without a secret box, serves other keys', async () => {
      t = await createTestDatabase(engine);
      const s = createSettingsSql(t.db.kysely);
      await expect(s.put('metadata', { tmdb: { apiKey: 'x' } })).rejects.toThrow(/secret box/);
      await s.put('quality', { movie: { allowed: ['1080p'], cutoff: '1080p' } });
      expect(await s.get('quality')).toEqual({ movie: { allowed: ['1080p'], cutoff: '1080p' } });
    });
  });
}

describe('settings json store', () => {
  it('maps keys to <configDir>/<key>.json in the legacy format; a missing file is an absent document', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const s = createSettingsJson({ configDir: dir, legacyEncryptionKey: KEY });
      expect(await s.get('subtitle-automation')).toBeUndefined();
      await s.put('subtitle-automation', { enabled: true, preferredLanguages: ['en'] });
      expect(readFileSync(join(dir, 'subtitle-automation.json'), 'utf8')).toBe('{\n  "enabled": true,\n  "preferredLanguages": [\n    "en"\n  ]\n}');
      const got = await s.get<{ preferredLanguages: string[] }>('subtitle-automation');
      got!.preferredLanguages.push('mutated');
      expect(await s.get('subtitle-automation')).toEqual({ enabled: true, preferredLanguages: ['en'] });
      await s.remove('subtitle-automation');
      expect(existsSync(join(dir, 'subtitle-automation.json'))).toBe(false);
      expect(await s.get('subtitle-automation')).toBeUndefined();
      await expect(s.get('../users')).rejects.toThrow(/invalid settings document key/);
    } finally {
      cleanup();
    }
  });

  it('reads legacy ciphertext, writes the legacy ciphertext, keeps unknown keys', async () => {
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(
        join(dir, 'metadata.json'),
        JSON.stringify(
          { tmdb: { apiKey: legacyEncrypt(TMDB, KEY), language: 'en-GB', includeAdult: false }, musicbrainz: { enabled: true }, extra: 1 },
          null,
          2,
        ),
      );
      const s = createSettingsJson({ configDir: dir, legacyEncryptionKey: KEY });
      expect(await s.get('metadata')).toEqual({ tmdb: { apiKey: TMDB, language: 'en-GB', includeAdult: false }, musicbrainz: { enabled: true }, extra: 1 });
      await s.put('metadata', { tmdb: { apiKey: 'new-key-abc', language: 'fr' }, extra: 2 });
      const text = readFileSync(join(dir, 'metadata.json'), 'utf8');
      expect(text).not.toContain('new-key-abc');
      const onDisk = JSON.parse(text);
      expect(legacyDecrypt(onDisk.tmdb.apiKey, KEY)).toBe('new-key-abc');
      expect(onDisk.extra).toBe(2);
      // a fresh process reads what was written
      const again = createSettingsJson({ configDir: dir, legacyEncryptionKey: KEY });
      expect(await again.get('metadata')).toEqual({ tmdb: { apiKey: 'new-key-abc', language: 'fr' }, extra: 2 });
    } finally {
      cleanup();
    }
  });

  it('writes an undecryptable legacy key back unchanged instead of losing it', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const foreign = legacyEncrypt(TMDB, 'another-encryption-key-0123456789abcdef');
      writeFileSync(join(dir, 'metadata.json'), JSON.stringify({ tmdb: { apiKey: foreign } }));
      const s = createSettingsJson({ configDir: dir, legacyEncryptionKey: KEY });
      const doc = await s.get<{ tmdb: { apiKey: string; language?: string } }>('metadata');
      doc!.tmdb.language = 'de';
      await s.put('metadata', doc);
      expect(JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8'))).toEqual({ tmdb: { apiKey: foreign, language: 'de' } });
    } finally {
      cleanup();
    }
  });
});
