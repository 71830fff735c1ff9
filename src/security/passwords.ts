import { pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Algorithm, hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { constantTimeEqual } from './tokens.js';

const pbkdf2Async = promisify(pbkdf2);

/** Legacy MediaOS parameters (FORMATS.md §2.1). Frozen: changing them breaks every imported user. */
const LEGACY_ITERATIONS = 100_000;
const LEGACY_KEY_LENGTH = 64;
const LEGACY_DIGEST = 'sha512';

/**
 * argon2id for new hashes. 19 MiB and 2 passes (the OWASP baseline) keep a login well under
 * 100 ms and a burst of logins within the memory of a 2-4 GB NAS.
 */
const ARGON2_OPTIONS = {
  algorithm: Algorithm.Argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

async function legacyDigestHex(password: string, saltHex: string): Promise<string> {
  // The trap of the legacy format: the salt input is the hex *string*, not its decoded bytes.
  const derived = await pbkdf2Async(Buffer.from(password, 'utf8'), Buffer.from(saltHex, 'utf8'), LEGACY_ITERATIONS, LEGACY_KEY_LENGTH, LEGACY_DIGEST);
  return derived.toString('hex');
}

/** Hashes in the legacy `<saltHex>:<hashHex>` format (for writing legacy users.json on export). */
export async function hashLegacyPassword(password: string): Promise<string> {
  const saltHex = randomBytes(16).toString('hex');
  return `${saltHex}:${await legacyDigestHex(password, saltHex)}`;
}

/** Hashes a new password with argon2id; the result starts with `$argon2id$`. */
export function hashPassword(password: string): Promise<string> {
  return argon2Hash(password, ARGON2_OPTIONS);
}

function splitLegacy(stored: string): { saltHex: string; hashHex: string } | null {
  const colon = stored.indexOf(':');
  if (colon < 0) return null;
  const saltHex = stored.slice(0, colon);
  const hashHex = stored.slice(colon + 1);
  if (saltHex === '' || hashHex === '') return null;
  return { saltHex, hashHex };
}

function isArgon2Hash(stored: string): boolean {
  return stored.startsWith('$argon2');
}

/** True when `stored` is a legacy PBKDF2 hash (callers rehash it with argon2id after a good login). */
export function isLegacyPasswordHash(stored: unknown): boolean {
  return typeof stored === 'string' && !isArgon2Hash(stored) && splitLegacy(stored) !== null;
}

/**
 * Checks a password against an argon2 or legacy PBKDF2 hash. Never throws on bad stored data:
 * anything it cannot read answers false.
 */
export async function verifyPassword(password: string, stored: unknown): Promise<boolean> {
  if (typeof password !== 'string' || typeof stored !== 'string') return false;
  if (isArgon2Hash(stored)) {
    try {
      return await argon2Verify(stored, password);
    } catch {
      return false;
    }
  }
  const parts = splitLegacy(stored);
  if (parts === null) return false;
  // Like the legacy code, compare the hex strings (so an upper-case stored hash does not match),
  // but without leaking the position of the first difference.
  return constantTimeEqual(await legacyDigestHex(password, parts.saltHex), parts.hashHex);
}

export type PasswordStrength = 'weak' | 'medium' | 'strong';

export interface PasswordPolicyResult {
  ok: boolean;
  errors: string[];
  strength: PasswordStrength;
}

const MIN_LENGTH = 8;
const SPECIAL_CHARS = /[!@#$%^&*()_+\-=[\]{};':"\\|,.<>/?]/;

/** Rejected whatever their case. Some pass every character rule once capitalised (`P@ssw0rd1`). */
const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  'password',
  'password1',
  'password123',
  '12345678',
  '123456789',
  'qwerty123',
  'abc12345',
  'letmein',
  'welcome1',
  'admin123',
  'iloveyou',
  'sunshine',
  'football',
  'monkey123',
  'p@ssw0rd',
  'p@ssw0rd1',
  'passw0rd!',
  'admin@123',
  'welcome@123',
]);

/** The registration policy of API.md §1. `strength` is informational only. */
export function checkPasswordPolicy(password: string): PasswordPolicyResult {
  const pw = typeof password === 'string' ? password : '';
  const classes = [
    { test: /[A-Z]/, error: 'Password must contain at least one uppercase letter' },
    { test: /[a-z]/, error: 'Password must contain at least one lowercase letter' },
    { test: /[0-9]/, error: 'Password must contain at least one number' },
    { test: SPECIAL_CHARS, error: 'Password must contain at least one special character' },
  ];
  const errors: string[] = [];
  if (pw.length < MIN_LENGTH) errors.push(`Password must be at least ${MIN_LENGTH} characters long`);
  let classCount = 0;
  for (const c of classes) {
    if (c.test.test(pw)) classCount += 1;
    else errors.push(c.error);
  }
  const common = COMMON_PASSWORDS.has(pw.toLowerCase());
  if (common) errors.push('Password is too common, please choose a less predictable one');

  const score = classCount + (pw.length >= 12 ? 1 : 0) + (pw.length >= 16 ? 1 : 0);
  let strength: PasswordStrength = 'weak';
  if (!common && pw.length >= MIN_LENGTH) {
    if (score >= 5) strength = 'strong';
    else if (score >= 4) strength = 'medium';
  }
  return { ok: errors.length === 0, errors, strength };
}
