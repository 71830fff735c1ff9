import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { constantTimeEqual } from './tokens.js';

/**
 * HS256 JWTs exactly as legacy MediaOS makes them (API.md §0.4), so tokens issued before the
 * migration keep working: fixed header string, base64url without padding, HMAC-SHA256 over
 * `header.payload` keyed by the secret as UTF-8.
 */

const HEADER_JSON = '{"alg":"HS256","typ":"JWT"}';
const ENCODED_HEADER = Buffer.from(HEADER_JSON, 'utf8').toString('base64url');

export type JwtPayload = Record<string, unknown>;

export type JwtVerifyResult = { ok: true; payload: JwtPayload } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

function requireSecret(secret: string): void {
  // Config enforces >= 32 chars; this guards against an HMAC keyed by nothing at all.
  if (typeof secret !== 'string' || secret === '') throw new Error('JWT secret must not be empty');
}

/** The HMAC key of a secret, made once (not a Buffer copy of the secret per token). */
const keys = new Map<string, KeyObject>();
function keyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    if (keys.size >= 8) keys.clear(); // one secret per server; tests use a few
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    keys.set(secret, key);
  }
  return key;
}

function signature(signingInput: string, secret: string): string {
  return createHmac('sha256', keyOf(secret)).update(signingInput, 'utf8').digest('base64url');
}

/**
 * Tokens whose signature and header were verified, with their decoded payload, per secret.
 * A client presents the same access token on every request for 15 minutes; checking its HMAC
 * and decoding it again each time was ~20 µs of every authenticated request. The key is the
 * whole token string, so only a byte-identical token signed with this secret hits; expiry is
 * still checked against the clock on every call. Bounded: cleared when full.
 */
const VERIFIED_MAX = 4096;
const verified = new Map<string, Map<string, JwtPayload>>();

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
  let known = verified.get(secret);
  let payload = known?.get(token);
  if (payload === undefined) {
    const checked = verifyParts(token, secret);
    if (!checked.ok) return checked;
    payload = checked.payload;
    if (!known) {
      if (verified.size >= 8) verified.clear();
      known = new Map();
      verified.set(secret, known);
    }
    if (known.size >= VERIFIED_MAX) known.clear();
    known.set(token, payload);
  }
  // Legacy rule: expired only once `exp < now`, so a token is still good during its exp second.
  if (typeof payload.exp === 'number' && payload.exp < nowSec) return { ok: false, reason: 'expired' };
  return { ok: true, payload };
}

/** Signature, header and payload shape of a token, expiry aside. The payload is frozen: it may be shared. */
function verifyParts(token: string, secret: string): JwtVerifyResult {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => p === '')) return { ok: false, reason: 'malformed' };
  const [headerPart, payloadPart, signaturePart] = parts;

  if (!constantTimeEqual(signature(`${headerPart}.${payloadPart}`, secret), signaturePart)) {
    return { ok: false, reason: 'bad_signature' };
  }
  if (headerPart !== ENCODED_HEADER) {
    const header = decodeJsonObject(headerPart);
    if (header === null) return { ok: false, reason: 'malformed' };
    if (header.alg !== 'HS256') return { ok: false, reason: 'bad_signature' };
  }

  const payload = decodeJsonObject(payloadPart);
  if (payload === null) return { ok: false, reason: 'malformed' };
  return { ok: true, payload: Object.freeze(payload) };
}
