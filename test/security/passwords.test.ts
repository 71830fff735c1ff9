import { pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkPasswordPolicy, hashLegacyPassword, hashPassword, isLegacyPasswordHash, verifyPassword } from '../../src/security/passwords.js';

// FORMATS.md §2.1 test vector.
const VECTOR_PASSWORD = 'Example#Pass1';
const VECTOR_STORED =
  'abcdef0123456789abcdef0123456789:9e259be7160edd3974b79560e838f1562be0927dc4d8681aa9aaa6e559f2caefe23fd8a82818ecaf4377014f2f6bd65392563141fd16fdc13a5f7b2341e06a54';

describe('legacy PBKDF2 passwords', () => {
  it('verifies the FORMATS.md test vector', async () => {
    expect(await verifyPassword(VECTOR_PASSWORD, VECTOR_STORED)).toBe(true);
  });

  it('rejects a wrong password against the test vector', async () => {
    expect(await verifyPassword('Example#Pass2', VECTOR_STORED)).toBe(false);
    expect(await verifyPassword('', VECTOR_STORED)).toBe(false);
  });

  it('uses the salt hex string itself as the PBKDF2 salt, not its decoded bytes', async () => {
    const decodedSalt = Buffer.from('abcdef0123456789abcdef0123456789', 'hex');
    const wrongHash = pbkdf2Sync(VECTOR_PASSWORD, decodedSalt, 100_000, 64, 'sha512').toString('hex');
    expect(await verifyPassword(VECTOR_PASSWORD, `abcdef0123456789abcdef0123456789:${wrongHash}`)).toBe(false);
  });

  it('round-trips a new legacy hash in the <32 hex>:<128 hex> format', async () => {
    const stored = await hashLegacyPassword('Round#Trip9');
    expect(stored).toMatch(/^[0-9a-f]{32}:[0-9a-f]{128}$/);
    expect(await verifyPassword('Round#Trip9', stored)).toBe(true);
    expect(await verifyPassword('round#Trip9', stored)).toBe(false);
    expect(await hashLegacyPassword('Round#Trip9')).not.toBe(stored);
    expect(isLegacyPasswordHash(stored)).toBe(true);
  });

  it('splits on the first colon, so any salt string the legacy code wrote still works', async () => {
    const salt = 'odd-salt';
    const hashHex = pbkdf2Sync('Pw:with:colons1!', salt, 100_000, 64, 'sha512').toString('hex');
    expect(await verifyPassword('Pw:with:colons1!', `${salt}:${hashHex}`)).toBe(true);
  });

  it('compares hex strings like the legacy code (upper-case stored hash does not match)', async () => {
    const [salt, hashHex] = VECTOR_STORED.split(':');
    expect(await verifyPassword(VECTOR_PASSWORD, `${salt}:${hashHex.toUpperCase()}`)).toBe(false);
    expect(await verifyPassword(VECTOR_PASSWORD, `${salt}:${hashHex.slice(0, 64)}`)).toBe(false);
  });
});

describe('argon2id passwords', () => {
  it('round-trips and rejects a wrong password', async () => {
    const stored = await hashPassword('Argon#Pass1');
    expect(stored.startsWith('$argon2id$')).toBe(true);
    expect(stored).toContain('m=19456,t=2,p=1');
    expect(await verifyPassword('Argon#Pass1', stored)).toBe(true);
    expect(await verifyPassword('Argon#Pass2', stored)).toBe(false);
    expect(isLegacyPasswordHash(stored)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('Same#Pass1')).not.toBe(await hashPassword('Same#Pass1'));
  });
});

describe('verifyPassword on bad stored data', () => {
  const bad: unknown[] = [
    '',
    'no-colon-here',
    ':abcdef',
    'abcdef:',
    ':',
    '$argon2id$garbage',
    '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$',
    null,
    undefined,
    42,
    { hash: 'x' },
  ];
  for (const stored of bad) {
    it(`answers false, without throwing, for ${JSON.stringify(stored) ?? String(stored)}`, async () => {
      await expect(verifyPassword('Example#Pass1', stored)).resolves.toBe(false);
    });
  }

  it('answers false for a non-string password', async () => {
    await expect(verifyPassword(undefined as unknown as string, VECTOR_STORED)).resolves.toBe(false);
  });
});

describe('isLegacyPasswordHash', () => {
  it('recognises only <salt>:<hash> with both parts present', () => {
    expect(isLegacyPasswordHash(VECTOR_STORED)).toBe(true);
    expect(isLegacyPasswordHash('a:b')).toBe(true);
    expect(isLegacyPasswordHash('$argon2id$v=19$m=1,t=1,p=1$a:b')).toBe(false);
    expect(isLegacyPasswordHash('nocolon')).toBe(false);
    expect(isLegacyPasswordHash(':b')).toBe(false);
    expect(isLegacyPasswordHash('a:')).toBe(false);
    expect(isLegacyPasswordHash(undefined)).toBe(false);
  });
});

describe('checkPasswordPolicy', () => {
  it('accepts a password meeting every rule', () => {
    expect(checkPasswordPolicy('Good#Pass1')).toEqual({ ok: true, errors: [], strength: 'medium' });
  });

  it('rates long, varied passwords strong', () => {
    expect(checkPasswordPolicy('Longer#Password1').strength).toBe('strong');
    expect(checkPasswordPolicy('Twelve#Char5').strength).toBe('strong');
  });

  it('reports each missing rule as a sentence', () => {
    const result = checkPasswordPolicy('abc');
    expect(result.ok).toBe(false);
    expect(result.strength).toBe('weak');
    expect(result.errors).toEqual([
      'Password must be at least 8 characters long',
      'Password must contain at least one uppercase letter',
      'Password must contain at least one number',
      'Password must contain at least one special character',
    ]);
  });

  it('names the lowercase rule', () => {
    expect(checkPasswordPolicy('ABCDEFG#1').errors).toEqual(['Password must contain at least one lowercase letter']);
  });

  it('accepts every listed special character and nothing else as special', () => {
    for (const ch of '!@#$%^&*()_+-=[]{};\':"\\|,.<>/?') {
      expect(checkPasswordPolicy(`Abcdefg1${ch}`).ok, `special ${ch}`).toBe(true);
    }
    for (const ch of ['~', '`', ' ', 'é']) {
      expect(checkPasswordPolicy(`Abcdefg1${ch}`).errors, `not special ${ch}`).toEqual(['Password must contain at least one special character']);
    }
  });

  it('rejects common passwords whatever their case', () => {
    for (const pw of ['P@ssw0rd1', 'ADMIN@123', 'password']) {
      const result = checkPasswordPolicy(pw);
      expect(result.ok).toBe(false);
      expect(result.strength).toBe('weak');
      expect(result.errors).toContain('Password is too common, please choose a less predictable one');
    }
  });

  it('rates a short password weak even with every class, and three classes of 8 weak', () => {
    expect(checkPasswordPolicy('Ab1#').strength).toBe('weak');
    expect(checkPasswordPolicy('abcdefg1#').strength).toBe('weak');
  });

  it('treats a non-string as empty', () => {
    const result = checkPasswordPolicy(undefined as unknown as string);
    expect(result.ok).toBe(false);
    expect(result.errors).toHaveLength(5);
  });
});
