import { describe, expect, it } from 'vitest';
import { createSecretBox, SECRET_BOX_PREFIX, SecretBoxError } from '../../src/security/secret-box.js';

const KEY = `${'k'.repeat(16)}0123456789abcdef`;
const OTHER_KEY = 'z'.repeat(40);

function expectBoxError(fn: () => unknown, ...secrets: string[]): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SecretBoxError);
    for (const s of secrets) expect((err as Error).message).not.toContain(s);
    return;
  }
  throw new Error('expected a SecretBoxError');
}

describe('createSecretBox', () => {
  it('requires ENCRYPTION_KEY of at least 32 characters, without echoing it', () => {
    expect(() => createSecretBox('too-short-key')).toThrow(/ENCRYPTION_KEY must be at least 32 characters/);
    expect(() => createSecretBox('too-short-key')).not.toThrow(/too-short-key/);
    expect(() => createSecretBox(undefined as unknown as string)).toThrow(/ENCRYPTION_KEY/);
    expect(() => createSecretBox('x'.repeat(32))).not.toThrow();
  });

  it('round-trips, with a fresh IV per value', () => {
    const box = createSecretBox(KEY);
    const a = box.seal('adminadmin');
    const b = box.seal('adminadmin');
    expect(a).not.toBe(b);
    expect(a.startsWith(SECRET_BOX_PREFIX)).toBe(true);
    expect(a.slice(SECRET_BOX_PREFIX.length)).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(box.open(a)).toBe('adminadmin');
    expect(box.open(b)).toBe('adminadmin');
  });

  it('opens a value sealed by another box built from the same key', () => {
    expect(createSecretBox(KEY).open(createSecretBox(KEY).seal('same key'))).toBe('same key');
  });

  it('round-trips unicode and long values', () => {
    const box = createSecretBox(KEY);
    for (const text of ['pässwörd ✓ 密码 🔑', 'x'.repeat(10_000), ' ', 'enc:v1:']) {
      expect(box.open(box.seal(text))).toBe(text);
    }
  });

  it('never puts the plaintext in its output', () => {
    const box = createSecretBox(KEY);
    const secret = 'sab-key-0123456789abcdef';
    const sealed = box.seal(secret);
    expect(sealed).not.toContain(secret);
    expect(Buffer.from(sealed.slice(SECRET_BOX_PREFIX.length), 'base64url').toString('latin1')).not.toContain(secret);
  });

  it('keeps the empty string empty', () => {
    const box = createSecretBox(KEY);
    expect(box.seal('')).toBe('');
    expect(box.open('')).toBe('');
    expect(box.isSealed('')).toBe(false);
  });

  it('detects tampering anywhere in the value', () => {
    const box = createSecretBox(KEY);
    const sealed = box.seal('secret value');
    const raw = Buffer.from(sealed.slice(SECRET_BOX_PREFIX.length), 'base64url');
    for (const index of [0, 11, 12, 27, 28, raw.length - 1]) {
      const copy = Buffer.from(raw);
      copy[index] ^= 0x80;
      expectBoxError(() => box.open(SECRET_BOX_PREFIX + copy.toString('base64url')), 'secret value');
    }
    expectBoxError(() => box.open(sealed.slice(0, -2)), 'secret value');
  });

  it('fails with the wrong key', () => {
    const sealed = createSecretBox(KEY).seal('secret value');
    expectBoxError(() => createSecretBox(OTHER_KEY).open(sealed), sealed, 'secret value', KEY, OTHER_KEY);
  });

  it('refuses foreign values without echoing them', () => {
    const box = createSecretBox(KEY);
    const legacy = 'EREREREREREREREREREREREREREREREREREREREREREiIiIiIiIiIiIiIiIiIiIivMkCloiEgk8NT610p+p5vZGM6FMFfeA=';
    for (const value of ['plaintext-password', legacy, 'enc:v1:', 'enc:v1:short', `enc:v2:${'A'.repeat(60)}`, `enc:v1:${'A'.repeat(50)}!`]) {
      expectBoxError(() => box.open(value), value);
    }
  });

  it('isSealed recognises only well-formed v1 values', () => {
    const box = createSecretBox(KEY);
    expect(box.isSealed(box.seal('x'))).toBe(true);
    expect(box.isSealed(`enc:v1:${'A'.repeat(38)}`)).toBe(true);
    expect(box.isSealed(`enc:v1:${'A'.repeat(37)}`)).toBe(false);
    expect(box.isSealed(`enc:v1:${'A'.repeat(40)}=`)).toBe(false);
    expect(box.isSealed('plaintext')).toBe(false);
    expect(box.isSealed(undefined)).toBe(false);
    expect(box.isSealed(42)).toBe(false);
  });
});
