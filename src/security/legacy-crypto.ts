import { createCipheriv, createDecipheriv, pbkdf2, pbkdf2Sync, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

/**
 * The legacy MediaOS secret encryption (FORMATS.md §2.2), kept bit-for-bit so the importer can
 * read old ciphertexts and an export can write them back. New data uses secret-box.ts instead.
 *
 * Stored value = base64(salt(32) | iv(16) | tag(16) | ciphertext); key = PBKDF2-SHA256 of the
 * ENCRYPTION_KEY string with the per-value salt. Each value costs one 100k-round PBKDF2, so the
 * server uses the async variants; the sync ones are for the CLI and tests.
 */

const pbkdf2Async = promisify(pbkdf2);

const SALT_LENGTH = 32;
const IV_LENGTH = 16;
const TAG_LENGTH = 16;
const HEADER_LENGTH = SALT_LENGTH + IV_LENGTH + TAG_LENGTH;
const ITERATIONS = 100_000;
const KEY_LENGTH = 32;
const DIGEST = 'sha256';
const MIN_SECRET_LENGTH = 32;

/** Decryption failed. The message never holds the value or the key. */
export class LegacyDecryptError extends Error {
  override name = 'LegacyDecryptError';
}

export interface LegacyEncryptOptions {
  /** Fixed salt (32 bytes), for test vectors only. */
  salt?: Buffer;
  /** Fixed IV (16 bytes), for test vectors only. */
  iv?: Buffer;
}

interface Parts {
  salt: Buffer;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

/** The legacy "is it already encrypted?" rule: lenient base64 decoding gives at least 65 bytes. */
export function looksLegacyEncrypted(value: string): boolean {
  return typeof value === 'string' && Buffer.from(value, 'base64').length > HEADER_LENGTH;
}

function encryptionInputs(key: string, opts: LegacyEncryptOptions): { salt: Buffer; iv: Buffer } {
  if (typeof key !== 'string' || key.length < MIN_SECRET_LENGTH) {
    throw new Error(`ENCRYPTION_KEY must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  const salt = opts.salt ?? randomBytes(SALT_LENGTH);
  const iv = opts.iv ?? randomBytes(IV_LENGTH);
  if (salt.length !== SALT_LENGTH) throw new Error(`legacy salt must be ${SALT_LENGTH} bytes`);
  if (iv.length !== IV_LENGTH) throw new Error(`legacy IV must be ${IV_LENGTH} bytes`);
  return { salt, iv };
}

function sealWith(derivedKey: Buffer, salt: Buffer, iv: Buffer, plaintext: string): string {
  const cipher = createCipheriv('aes-256-gcm', derivedKey, iv, { authTagLength: TAG_LENGTH });
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([salt, iv, cipher.getAuthTag(), ciphertext]).toString('base64');
}

function splitValue(value: string): Parts {
  if (!looksLegacyEncrypted(value)) {
    throw new LegacyDecryptError('value is not a legacy ciphertext (too short)');
  }
  const raw = Buffer.from(value, 'base64');
  return {
    salt: raw.subarray(0, SALT_LENGTH),
    iv: raw.subarray(SALT_LENGTH, SALT_LENGTH + IV_LENGTH),
    tag: raw.subarray(SALT_LENGTH + IV_LENGTH, HEADER_LENGTH),
    ciphertext: raw.subarray(HEADER_LENGTH),
  };
}

function openWith(derivedKey: Buffer, parts: Parts): string {
  try {
    const decipher = createDecipheriv('aes-256-gcm', derivedKey, parts.iv, { authTagLength: TAG_LENGTH });
    decipher.setAuthTag(parts.tag);
    return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]).toString('utf8');
  } catch {
    // The cause (OpenSSL's "unable to authenticate data") says nothing useful and is dropped.
    throw new LegacyDecryptError('legacy secret could not be decrypted (wrong ENCRYPTION_KEY or corrupt value)');
  }
}

function deriveSync(key: string, salt: Buffer): Buffer {
  return pbkdf2Sync(Buffer.from(key, 'utf8'), salt, ITERATIONS, KEY_LENGTH, DIGEST);
}

function deriveAsync(key: string, salt: Buffer): Promise<Buffer> {
  return pbkdf2Async(Buffer.from(key, 'utf8'), salt, ITERATIONS, KEY_LENGTH, DIGEST);
}

/** Encrypts like legacy MediaOS. An empty string stays empty (the legacy never encrypted it). */
export function legacyEncrypt(plaintext: string, key: string, opts: LegacyEncryptOptions = {}): string {
  if (plaintext === '') return '';
  const { salt, iv } = encryptionInputs(key, opts);
  return sealWith(deriveSync(key, salt), salt, iv, plaintext);
}

/** Async {@link legacyEncrypt}: the PBKDF2 runs on the libuv pool, not the event loop. */
export async function legacyEncryptAsync(plaintext: string, key: string, opts: LegacyEncryptOptions = {}): Promise<string> {
  if (plaintext === '') return '';
  const { salt, iv } = encryptionInputs(key, opts);
  return sealWith(await deriveAsync(key, salt), salt, iv, plaintext);
}

/** Decrypts a legacy value. Throws {@link LegacyDecryptError}. */
export function legacyDecrypt(value: string, key: string): string {
  const parts = splitValue(value);
  return openWith(deriveSync(key, parts.salt), parts);
}

/** Async {@link legacyDecrypt}. */
export async function legacyDecryptAsync(value: string, key: string): Promise<string> {
  const parts = splitValue(value);
  return openWith(await deriveAsync(key, parts.salt), parts);
}

export type LegacySecret =
  | { kind: 'empty' }
  | { kind: 'plaintext'; value: string }
  | { kind: 'decrypted'; value: string }
  | { kind: 'undecryptable'; reason: string };

const NO_KEY_REASON = 'looks encrypted but no legacy ENCRYPTION_KEY was given';
const FAILED_REASON = 'looks encrypted but did not decrypt (wrong ENCRYPTION_KEY, or a long plaintext mistaken for ciphertext)';

function classify(value: string | null | undefined, key: string | null | undefined) {
  if (value === undefined || value === null || value === '') return { kind: 'empty' } as const;
  if (!looksLegacyEncrypted(value)) return { kind: 'plaintext', value } as const;
  if (key === undefined || key === null || key === '') {
    return { kind: 'undecryptable', reason: NO_KEY_REASON } as const;
  }
  return { kind: 'encrypted', value, key } as const;
}

/**
 * The importer's view of one legacy secret field: files may mix plaintext (v0.3.1 and earlier)
 * and ciphertext, told apart by the legacy length rule. Never throws; `reason` names no secret.
 */
export function readLegacySecret(value: string | null | undefined, key: string | null | undefined): LegacySecret {
  const c = classify(value, key);
  if (c.kind !== 'encrypted') return c;
  try {
    return { kind: 'decrypted', value: legacyDecrypt(c.value, c.key) };
  } catch {
    return { kind: 'undecryptable', reason: FAILED_REASON };
  }
}

/** Async {@link readLegacySecret}. */
export async function readLegacySecretAsync(value: string | null | undefined, key: string | null | undefined): Promise<LegacySecret> {
  const c = classify(value, key);
  if (c.kind !== 'encrypted') return c;
  try {
    return { kind: 'decrypted', value: await legacyDecryptAsync(c.value, c.key) };
  } catch {
    return { kind: 'undecryptable', reason: FAILED_REASON };
  }
}
