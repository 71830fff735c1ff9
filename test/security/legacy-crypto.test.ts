import { createCipheriv, pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  LegacyDecryptError,
  legacyDecrypt,
  legacyDecryptAsync,
  legacyEncrypt,
  legacyEncryptAsync,
  looksLegacyEncrypted,
  readLegacySecret,
  readLegacySecretAsync,
} from '../../src/security/legacy-crypto.js';

// FORMATS.md §2.2 test vector.
const KEY = 'test-encryption-key-0123456789abcdef';
const SALT = Buffer.alloc(32, 0x11);
const IV = Buffer.alloc(16, 0x22);
const VECTOR = 'EREREREREREREREREREREREREREREREREREREREREREiIiIiIiIiIiIiIiIiIiIivMkCloiEgk8NT610p+p5vZGM6FMFfeA=';
const OTHER_KEY = 'another-encryption-key-0123456789abcdef';

function expectNoLeak(fn: () => unknown, ...secrets: string[]): LegacyDecryptError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(LegacyDecryptError);
    const e = err as LegacyDecryptError;
    for (const s of secrets) {
      expect(e.message).not.toContain(s);
      expect(String(e.stack)).not.toContain(s);
    }
    return e;
  }
  throw new Error('expected a LegacyDecryptError');
}

describe('legacy secret encryption (FORMATS.md §2.2)', () => {
  it('reproduces the test vector', async () => {
    expect(legacyEncrypt('hunter2', KEY, { salt: SALT, iv: IV })).toBe(VECTOR);
    expect(await legacyEncryptAsync('hunter2', KEY, { salt: SALT, iv: IV })).toBe(VECTOR);
  });

  it('decrypts the test vector, sync and async', async () => {
    expect(legacyDecrypt(VECTOR, KEY)).toBe('hunter2');
    expect(await legacyDecryptAsync(VECTOR, KEY)).toBe('hunter2');
  });

  it('decrypts a value built by hand with node:crypto as the legacy code does', () => {
    const salt = Buffer.alloc(32, 7);
    const iv = Buffer.alloc(16, 9);
    const key = pbkdf2Sync(KEY, salt, 100_000, 32, 'sha256');
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const ct = Buffer.concat([cipher.update('sab-api-key ✓', 'utf8'), cipher.final()]);
    const stored = Buffer.concat([salt, iv, cipher.getAuthTag(), ct]).toString('base64');
    expect(legacyDecrypt(stored, KEY)).toBe('sab-api-key ✓');
  });

  it('round-trips with random salt and IV, in the padded standard base64 layout', async () => {
    const a = legacyEncrypt('p', KEY);
    const b = await legacyEncryptAsync('p', KEY);
    expect(a).not.toBe(b);
    expect(Buffer.from(a, 'base64')).toHaveLength(65);
    expect(a).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(a).toHaveLength(88);
    expect(legacyDecrypt(b, KEY)).toBe('p');
    expect(await legacyDecryptAsync(a, KEY)).toBe('p');
  });

  it('keeps an empty plaintext empty', async () => {
    expect(legacyEncrypt('', KEY)).toBe('');
    expect(await legacyEncryptAsync('', KEY)).toBe('');
  });

  it('refuses a short ENCRYPTION_KEY and bad fixed salt/IV lengths', () => {
    expect(() => legacyEncrypt('x', 'short')).toThrow(/ENCRYPTION_KEY must be at least 32/);
    expect(() => legacyEncrypt('x', 'short')).not.toThrow(/short/);
    expect(() => legacyEncrypt('x', KEY, { salt: Buffer.alloc(16) })).toThrow(/salt must be 32 bytes/);
    expect(() => legacyEncrypt('x', KEY, { iv: Buffer.alloc(12) })).toThrow(/IV must be 16 bytes/);
  });

  it('fails with a wrong key, naming neither value nor key', async () => {
    expectNoLeak(() => legacyDecrypt(VECTOR, OTHER_KEY), VECTOR, OTHER_KEY, 'hunter2');
    await expect(legacyDecryptAsync(VECTOR, OTHER_KEY)).rejects.toBeInstanceOf(LegacyDecryptError);
  });

  it('detects tampering with the ciphertext or tag', () => {
    const raw = Buffer.from(VECTOR, 'base64');
    for (const index of [50, raw.length - 1]) {
      const copy = Buffer.from(raw);
      copy[index] ^= 1;
      expectNoLeak(() => legacyDecrypt(copy.toString('base64'), KEY), KEY);
    }
  });

  it('refuses values too short to be ciphertext', async () => {
    const short = 'c2hvcnQ=';
    const e = expectNoLeak(() => legacyDecrypt(short, KEY), short, KEY);
    expect(e.message).toMatch(/not a legacy ciphertext/);
    await expect(legacyDecryptAsync(short, KEY)).rejects.toBeInstanceOf(LegacyDecryptError);
  });
});

describe('looksLegacyEncrypted (the >= 65 decoded bytes rule)', () => {
  it('follows Node lenient base64 decoding', () => {
    expect(looksLegacyEncrypted(VECTOR)).toBe(true);
    expect(looksLegacyEncrypted('0123456789abcdef0123456789abcdef')).toBe(false);
    expect(looksLegacyEncrypted('')).toBe(false);
    // 86 base64 chars decode to 64 bytes (not encrypted); 87 to 65 bytes (mistaken for ciphertext).
    expect(looksLegacyEncrypted('A'.repeat(86))).toBe(false);
    expect(looksLegacyEncrypted('A'.repeat(87))).toBe(true);
    // Characters outside the alphabet are skipped, so they do not count.
    expect(looksLegacyEncrypted(`${'A'.repeat(86)}!!!!`)).toBe(false);
    expect(looksLegacyEncrypted(undefined as unknown as string)).toBe(false);
  });
});

describe('readLegacySecret', () => {
  const readers = [
    ['sync', (v: string | undefined | null, k: string | undefined | null) => Promise.resolve(readLegacySecret(v, k))],
    ['async', readLegacySecretAsync],
  ] as const;

  for (const [name, read] of readers) {
    describe(name, () => {
      it('reports missing and empty values as empty', async () => {
        expect(await read(undefined, KEY)).toEqual({ kind: 'empty' });
        expect(await read(null, KEY)).toEqual({ kind: 'empty' });
        expect(await read('', undefined)).toEqual({ kind: 'empty' });
      });

      it('passes pre-v0.3.1 plaintext through, key or not', async () => {
        expect(await read('adminadmin', KEY)).toEqual({ kind: 'plaintext', value: 'adminadmin' });
        expect(await read('0123456789abcdef0123456789abcdef', undefined)).toEqual({
          kind: 'plaintext',
          value: '0123456789abcdef0123456789abcdef',
        });
      });

      it('decrypts ciphertext with the right key', async () => {
        expect(await read(VECTOR, KEY)).toEqual({ kind: 'decrypted', value: 'hunter2' });
      });

      it('reports undecryptable values without naming a secret', async () => {
        const longPlain = 'x'.repeat(100);
        for (const [value, key] of [
          [VECTOR, undefined],
          [VECTOR, ''],
          [VECTOR, OTHER_KEY],
          [longPlain, KEY],
        ] as const) {
          const result = await read(value, key);
          expect(result.kind).toBe('undecryptable');
          const reason = (result as { reason: string }).reason;
          expect(reason).not.toContain(value);
          expect(reason).not.toContain(KEY);
          expect(reason).not.toContain(OTHER_KEY);
        }
        expect(await read(VECTOR, undefined)).toEqual({
          kind: 'undecryptable',
          reason: expect.stringMatching(/no legacy ENCRYPTION_KEY/),
        });
      });
    });
  }
});
