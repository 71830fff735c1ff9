import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Lowercase hex SHA-256 of the UTF-8 bytes of `s` (used to store refresh/API tokens by digest). */
export function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

/** A new row id: 32 lowercase hex chars from 16 random bytes (the seed's id format). */
export function randomHexId(): string {
  return randomBytes(16).toString('hex');
}

/**
 * Compares two strings without an early exit on the first differing byte.
 * Unequal lengths return false at once: the length of a hash or signature is not a secret.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}
