import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDownloadersStore } from '../../src/downloaders/downloaders.store.js';
import type { DownloadersSettings } from '../../src/downloaders/downloaders.types.js';
import { legacyDecrypt, legacyEncrypt, looksLegacyEncrypted } from '../../src/security/legacy-crypto.js';
import { LEGACY_KEY, storeBackends, storeFixture } from './store-context.js';

const QB_PASS = 'qb-Pa55word-unique-7781';
const SAB_KEY = 'sabkey0123456789abcdef0123456789';

const DOC: DownloadersSettings = {
  qbittorrent: { enabled: true, baseUrl: 'http://qb:8080', username: 'admin', password: QB_PASS, timeoutMs: 5000, category: 'mediaos' },
  nzbget: { enabled: false },
  sabnzbd: { enabled: true, baseUrl: 'http://sab:8080/sabnzbd', apiKey: SAB_KEY, category: 'tv' },
};

for (const b of storeBackends()) {
  describe(`downloaders store (${b.label})`, () => {
    it('starts empty, saves the whole document and reads it back with plaintext secrets', async () => {
      const f = await storeFixture(b.engine, b.phase);
      try {
        const store = createDownloadersStore(f.ctx);
        expect(await store.get()).toEqual({});
        await store.save(DOC);
        expect(await store.get()).toStrictEqual(DOC);
        await store.save({ qbittorrent: { enabled: false, password: QB_PASS }, sabnzbd: DOC.sabnzbd });
        expect(await store.get()).toStrictEqual({ qbittorrent: { enabled: false, password: QB_PASS }, sabnzbd: DOC.sabnzbd });
        expect(f.ctx.fileSync.failures).toBe(0);
      } finally {
        await f.cleanup();
      }
    });

    if (b.phase !== 'db') {
      it('writes downloaders.json in the legacy format with legacy-encrypted secrets', async () => {
        const f = await storeFixture(b.engine, b.phase);
        try {
          const store = createDownloadersStore(f.ctx);
          await store.save(DOC);
          const text = readFileSync(join(f.configDir, 'downloaders.json'), 'utf8');
          expect(text).not.toContain(QB_PASS);
          expect(text).not.toContain(SAB_KEY);
          expect(text.endsWith('\n')).toBe(false);
          const file = JSON.parse(text);
          expect(Object.keys(file)).toEqual(['qbittorrent', 'nzbget', 'sabnzbd']);
          expect(Object.keys(file.qbittorrent)).toEqual(['enabled', 'baseUrl', 'username', 'password', 'timeoutMs', 'category']);
          expect(looksLegacyEncrypted(file.qbittorrent.password)).toBe(true);
          expect(legacyDecrypt(file.qbittorrent.password, LEGACY_KEY)).toBe(QB_PASS);
          expect(legacyDecrypt(file.sabnzbd.apiKey, LEGACY_KEY)).toBe(SAB_KEY);
          expect({ ...file.qbittorrent, password: QB_PASS }).toStrictEqual(DOC.qbittorrent);
          // an unchanged secret keeps its ciphertext: the file does not churn
          await store.save(DOC);
          expect(JSON.parse(readFileSync(join(f.configDir, 'downloaders.json'), 'utf8')).qbittorrent.password).toBe(file.qbittorrent.password);
        } finally {
          await f.cleanup();
        }
      });
    }

    if (b.phase === 'files' || b.phase === 'dual-read-files') {
      it('reads a legacy file with mixed plaintext and ciphertext secrets and unknown keys', async () => {
        const f = await storeFixture(b.engine, b.phase);
        try {
          writeFileSync(
            join(f.configDir, 'downloaders.json'),
            JSON.stringify(
              {
                qbittorrent: { enabled: true, baseUrl: 'http://qb', username: 'admin', password: legacyEncrypt(QB_PASS, LEGACY_KEY), odd: 1 },
                nzbget: { enabled: false, password: 'plain-old-pass' },
                sabnzbd: { enabled: true, apiKey: legacyEncrypt(SAB_KEY, 'some-other-key-0123456789abcdef!!') },
                topLevelExtra: true,
              },
              null,
              2,
            ),
          );
          const store = createDownloadersStore(f.ctx);
          const got = await store.get();
          expect(got.qbittorrent).toStrictEqual({ enabled: true, baseUrl: 'http://qb', username: 'admin', password: QB_PASS, odd: 1 });
          expect(got.nzbget?.password).toBe('plain-old-pass');
          // undecryptable: kept raw, reported without the value
          expect(looksLegacyEncrypted(got.sabnzbd?.apiKey as string)).toBe(true);
          expect(f.warnings.join('\n')).toContain('"field":"apiKey"');
          expect(f.warnings.join('\n')).not.toContain(got.sabnzbd?.apiKey as string);
          await store.save(got);
          const file = JSON.parse(readFileSync(join(f.configDir, 'downloaders.json'), 'utf8'));
          expect(file.topLevelExtra).toBe(true);
          expect(legacyDecrypt(file.nzbget.password, LEGACY_KEY)).toBe('plain-old-pass');
          expect(file.sabnzbd.apiKey).toBe(got.sabnzbd?.apiKey);
        } finally {
          await f.cleanup();
        }
      });
    }
  });
}
