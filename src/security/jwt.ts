import { createHmac } from 'node:crypto';
import { constantTimeEqual } from './tokens.js';

/**
 * HS256 JWTs exactly as legacy MediaOS makes them (API.md §0.4), so tokens issued before the
 * migration keep working: fixed header string, base64url without padding, HMAC-SHA256 over
 * `header.payload` keyed by the secret as UTF-8.
 */

const HEADER_JSON = '{"alg":"HS256","typ":"JWT"}';
const ENCODED_HEADER = Buffer.from(HEADER_JSON, 'utf8').toString('base64url');

export type JwtPayload = Record<string, unknown>;

export type JwtVerifyResult =
  | { ok: true; payload: JwtPayload }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

function requireSecret(secret: string): void {
  // Config enforces >= 32 chars; this guards against an HMAC keyed by nothing at all.
  if (typeof secret !== 'string' || secret === '') throw new Error('JWT secret must not be empty');
}

function signature(signingInput: string, secret: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(signingInput, 'utf8').digest('base64url');
}

function decodeJsonObject(part: string): JwtPayload | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
    return parsed as JwtPayload;
  } catch {
    return null;
  }
}

/** Signs `payload` (its key order is kept, like the legacy `JSON.stringify`). */
export function signJwt(payload: JwtPayload, secret: string): string {
  requireSecret(secret);
  const signingInput = `${ENCODED_HEADER}.${Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url')}`;
  return `${signingInput}.${signature(signingInput, secret)}`;
}

/**
 * Verifies a token at time `nowSec` (seconds). Unlike the legacy code the header is checked too:
 * only `alg: HS256` is accepted, which every legacy token carries.
 */
export function verifyJwt(token: string, secret: string, nowSec: number): JwtVerifyResult {
  requireSecret(secret);
  if (typeof token !== 'string') return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => p === '')) return { ok: false, reason: 'malformed' };
  const [headerPart, payloadPart, signaturePart] = parts;

  if (!constantTimeEqual(signature(`${headerPart}.${payloadPart}`, secret), signaturePart)) {
    return { ok: false, reason: 'bad_signature' };
  }
  const header = decodeJsonObject(headerPart);
  if (header === null) return { ok: false, reason: 'malformed' };
  if (header.alg !== 'HS256') return { ok: false, reason: 'bad_signature' };

  const payload = decodeJsonObject(payloadPart);
  if (payload === null) return { ok: false, reason: 'malformed' };
  // Legacy rule: expired only once `exp < now`, so a token is still good during its exp second.
  if (typeof payload.exp === 'number' && payload.exp < nowSec) return { ok: false, reason: 'expired' };
  return { ok: true, payload };
}
