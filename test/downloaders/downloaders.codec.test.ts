import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  downloaderFromRow,
  downloaderToRow,
  type LegacyDownloaderSection,
  legacyDownloaderSectionSchema,
  legacyDownloadersFileSchema,
  openLegacySection,
  sealLegacySection,
} from '../../src/downloaders/downloaders.codec.js';
import { createDownloadersSql } from '../../src/downloaders/downloaders.sql.js';
import type { ClientType } from '../../src/downloaders/downloaders.types.js';
import { legacyDecrypt, legacyEncrypt, looksLegacyEncrypted } from '../../src/security/legacy-crypto.js';
import { createSecretBox } from '../../src/security/secret-box.js';
import { createTestDatabase, sqlEngines } from '../helpers/engines.js';

const KEY = 'test-encryption-key-0123456789abcdef';
const OTHER_KEY = 'another-encryption-key-0123456789abcdef';
const box = createSecretBox(KEY);

const SECTIONS: [ClientType, LegacyDownloaderSection][] = [
  ['qbittorrent', { enabled: true, baseUrl: 'http://qbittorrent:8080', username: 'admin', password: 'qb-secret-pass', timeoutMs: 5000, category: 'mediaos' }],
  ['nzbget', { enabled: false }],
  ['sabnzbd', { enabled: true, baseUrl: 'http://sab:8080/sabnzbd', apiKey: '0123456789abcdef0123456789abcdef', category: 'tv' }],
  ['qbittorrent', { enabled: true, password: '' }],
  // unknown keys, wrongly typed known keys, a missing `enabled`, odd secrets
  ['nzbget', { baseUrl: 'http://n', timeoutMs: '5000', extraFlag: { deep: [1, 2] }, note: null }],
  ['sabnzbd', { enabled: 'yes', apiKey: 12345, category: null, timeoutMs: 1.5 }],
  ['qbittorrent', { enabled: true, timeoutMs: 99_999_999_999, username: 42, password: 'p' }],
];

describe('downloaders codec', () => {
  it('round-trips every section exactly, sealing secrets with the secret box', () => {
    for (const [t, s] of SECTIONS) {
      expect(legacyDownloaderSectionSchema.safeParse(s).success).toBe(true);
      const row = downloaderToRow(t, s, box);
      expect(row.id).toBe(t);
      expect(row.client_type).toBe(t);
      for (const v of [row.encrypted_password, row.encrypted_api_key]) {
        if (typeof v === 'string' && v !== '') expect(box.isSealed(v)).toBe(true);
      }
      expect(JSON.stringify(row)).not.toContain('qb-secret-pass');
      expect(JSON.stringify(row)).not.toContain('0123456789abcdef0123456789abcdef');
      expect(downloaderFromRow(row as never, box)).toStrictEqual(s);
    }
  });

  it('puts known keys in columns and the rest in config', () => {
    const row = downloaderToRow('nzbget', { baseUrl: 'http://n', timeoutMs: '5000', x: 1 }, box);
    expect(row.enabled).toBe(false);
    expect(row.base_url).toBe('http://n');
    expect(row.timeout_ms).toBeNull();
    expect(JSON.parse(row.config as string)).toEqual({ $absent: ['enabled'], timeoutMs: '5000', x: 1 });
  });

  it('rejects a section that is not an object', () => {
    expect(legacyDownloaderSectionSchema.safeParse('x').success).toBe(false);
    expect(legacyDownloadersFileSchema.safeParse({ qbittorrent: 5 }).success).toBe(false);
    expect(legacyDownloadersFileSchema.safeParse({ qbittorrent: { enabled: true }, other: 1 }).success).toBe(true);
  });

  it('reads legacy ciphertext and plaintext secrets with the legacy key', async () => {
    const cipher = legacyEncrypt('hunter2', KEY);
    const cache = new Map<string, string>();
    const r = await openLegacySection('qbittorrent', { enabled: true, password: cipher, x: 1 }, KEY, cache);
    expect(r.section).toEqual({ enabled: true, password: 'hunter2', x: 1 });
    expect(r.problems).toEqual([]);
    expect(cache.get(cipher)).toBe('hunter2');
    const plain = await openLegacySection('sabnzbd', { enabled: true, apiKey: 'plain-key-32-chars-long-aaaaaaaa' }, KEY);
    expect(plain.section.apiKey).toBe('plain-key-32-chars-long-aaaaaaaa');
  });

  it('keeps an undecryptable value raw and reports it without the value', async () => {
    const cipher = legacyEncrypt('hunter2', OTHER_KEY);
    const r = await openLegacySection('nzbget', { enabled: true, password: cipher }, KEY);
    expect(r.section.password).toBe(cipher);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0].field).toBe('password');
    expect(JSON.stringify(r.problems)).not.toContain(cipher);
    // written back unchanged (the old server sees what it saw before)
    const back = await sealLegacySection(r.section, KEY, { password: cipher });
    expect(back.password).toBe(cipher);
  });

  it('seals for the file with the legacy format and reuses an unchanged ciphertext', async () => {
    const cache = new Map<string, string>();
    const sealed = await sealLegacySection({ enabled: true, password: 's3cret', apiKey: '' }, KEY, undefined, cache);
    expect(looksLegacyEncrypted(sealed.password as string)).toBe(true);
    expect(legacyDecrypt(sealed.password as string, KEY)).toBe('s3cret');
    expect(sealed.apiKey).toBe('');
    const again = await sealLegacySection({ enabled: false, password: 's3cret' }, KEY, sealed, cache);
    expect(again.password).toBe(sealed.password);
    const changed = await sealLegacySection({ enabled: false, password: 'other' }, KEY, sealed, cache);
    expect(changed.password).not.toBe(sealed.password);
    expect(legacyDecrypt(changed.password as string, KEY)).toBe('other');
  });
});

for (const engine of sqlEngines()) {
  describe(`downloaders codec through the database (${engine})`, () => {
    it('stores rows that read back to the same sections, without plaintext secrets on disk', async () => {
      const t = await createTestDatabase(engine);
      try {
        const sql = createDownloadersSql(t.db.kysely, box);
        for (const [type, s] of SECTIONS) {
          await sql.upsertRows([downloaderToRow(type, s, box)]);
          expect((await sql.get())[type]).toStrictEqual(s);
        }
        await sql.save({ qbittorrent: SECTIONS[0][1], sabnzbd: SECTIONS[2][1] });
        expect(await sql.get()).toStrictEqual({ qbittorrent: SECTIONS[0][1], sabnzbd: SECTIONS[2][1] });
        expect(await sql.clientTypes()).toEqual(['qbittorrent', 'sabnzbd']);
        if (engine === 'sqlite') {
          t.db.sqlite?.pragma('wal_checkpoint(TRUNCATE)');
          const bytes = readFileSync(t.target.location).toString('latin1');
          expect(bytes).not.toContain('qb-secret-pass');
          expect(bytes).not.toContain('0123456789abcdef0123456789abcdef');
        }
      } finally {
        await t.cleanup();
      }
    });
  });
}
