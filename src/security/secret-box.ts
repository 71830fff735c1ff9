import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Our at-rest format for secrets in the database: `enc:v1:` + base64url(iv(12) | tag(16) | ciphertext),
 * AES-256-GCM. The prefix makes a sealed value unmistakable (the legacy format had no marker and
 * mistook long plaintexts for ciphertext) and leaves room for a v2.
 */

export const SECRET_BOX_PREFIX = 'enc:v1:';

const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const KEY_LENGTH = 32;
const MIN_SECRET_LENGTH = 32;
const HKDF_INFO = 'mediaos secret-box v1';
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** A value could not be opened. The message never holds the value. */
export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
  isSealed(value: unknown): boolean;
}

function bodyOf(value: unknown): string | null {
  if (typeof value !== 'string' || !value.startsWith(SECRET_BOX_PREFIX)) return null;
  const body = value.slice(SECRET_BOX_PREFIX.length);
  // Decoded iv + tag alone is 28 bytes = 38 base64url chars; anything shorter is not ours.
  if (body.length < 38 || !BASE64URL.test(body)) return null;
  return body;
}

/**
 * Builds a box from ENCRYPTION_KEY (a UTF-8 string of >= 32 chars). The AES key is derived once
 * here with HKDF-SHA256, so sealing costs no key stretching per value (the key is already
 * high-entropy; the legacy 100k-round PBKDF2 per value bought nothing but latency).
 */
export function createSecretBox(encryptionKey: string): SecretBox {
  if (typeof encryptionKey !== 'string' || encryptionKey.length < MIN_SECRET_LENGTH) {
    throw new Error(`ENCRYPTION_KEY must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(encryptionKey, 'utf8'), Buffer.alloc(0), HKDF_INFO, KEY_LENGTH));

  function seal(plaintext: string): string {
    if (plaintext === '') return '';
    const iv = randomBytes(IV_LENGTH);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH });
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return SECRET_BOX_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
  }

  function open(sealed: string): string {
    if (sealed === '') return '';
    const body = bodyOf(sealed);
    if (body === null) throw new SecretBoxError('value is not a sealed secret');
    const raw = Buffer.from(body, 'base64url');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_LENGTH), {
        authTagLength: TAG_LENGTH,
      });
      decipher.setAuthTag(raw.subarray(IV_LENGTH, IV_LENGTH + TAG_LENGTH));
      return Buffer.concat([decipher.update(raw.subarray(IV_LENGTH + TAG_LENGTH)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError('sealed secret failed authentication (wrong ENCRYPTION_KEY or tampered value)');
    }
  }

  return { seal, open, isSealed: (value: unknown) => bodyOf(value) !== null };
}
