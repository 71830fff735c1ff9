import { createHmac, randomBytes } from 'node:crypto';
import { signJwt, verifyJwt } from '../security/jwt.js';
import type { UserRole } from '../users/users.types.js';

/** Legacy lifetimes (API.md §0.4). */
export const ACCESS_TTL_SEC = 15 * 60;
export const REFRESH_TTL_SEC = 7 * 24 * 60 * 60;

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Expiry of the refresh token (= of the session), epoch seconds. */
  refreshExp: number;
}

/**
 * Access: the legacy claims in legacy order `{sub,email,role,iat,exp}` plus `sid` and `typ`.
 * Refresh: `{sub,iat,exp,sid,typ}` plus a random `jti`: two refreshes within one second would
 * otherwise sign the same payload, and rotation could not tell the new token from the old one.
 */
export function issueTokenPair(secret: string, user: { id: string; email: string; role: UserRole }, sid: string, nowSec: number): TokenPair {
  const accessToken = issueAccessToken(secret, user, sid, nowSec);
  const refreshExp = nowSec + REFRESH_TTL_SEC;
  const refreshToken = signJwt({ sub: user.id, iat: nowSec, exp: refreshExp, sid, typ: 'refresh', jti: randomBytes(8).toString('hex') }, secret);
  return { accessToken, refreshToken, refreshExp };
}

/**
 * The pair a rotation hands out for the refresh token whose SHA-256 is `fromHash`, at `nowSec`.
 * Deterministic: its `jti` is an HMAC of `fromHash` under the signing key (as unguessable as a
 * random one without that key), so the server can rebuild the very same pair from the replaced
 * token and the rotation time stored in the session row. That is the grace window: a replaced
 * token presented again shortly after (a second tab, a reload during the refresh, another server
 * process) gets the same new pair, and no copy of any token is stored.
 */
export function issueRotatedPair(
  secret: string,
  user: { id: string; email: string; role: UserRole },
  sid: string,
  fromHash: string,
  nowSec: number,
): TokenPair {
  const accessToken = issueAccessToken(secret, user, sid, nowSec);
  const refreshExp = nowSec + REFRESH_TTL_SEC;
  const jti = createHmac('sha256', secret).update(`rotate:${sid}:${fromHash}`).digest('hex').slice(0, 16);
  const refreshToken = signJwt({ sub: user.id, iat: nowSec, exp: refreshExp, sid, typ: 'refresh', jti }, secret);
  return { accessToken, refreshToken, refreshExp };
}

/** A new access token for an existing session (refresh without rotation). */
export function issueAccessToken(secret: string, user: { id: string; email: string; role: UserRole }, sid: string, nowSec: number): string {
  return signJwt({ sub: user.id, email: user.email, role: user.role, iat: nowSec, exp: nowSec + ACCESS_TTL_SEC, sid, typ: 'access' }, secret);
}

export type AccessCheck = { ok: true; sub: string; sid: string } | { ok: false; error: 'Invalid token' | 'Token expired' };

/**
 * Reads a Bearer token. Only our access tokens pass: refresh tokens and legacy tokens (no `typ`,
 * no `sid`; legacy accepted either kind as Bearer) answer "Invalid token". A legacy browser
 * recovers through /api/auth/refresh, which exchanges its legacy refresh token once.
 */
export function readAccessToken(token: string, secret: string, nowSec: number): AccessCheck {
  const r = verifyJwt(token, secret, nowSec);
  if (!r.ok) return { ok: false, error: r.reason === 'expired' ? 'Token expired' : 'Invalid token' };
  const p = r.payload;
  if (p.typ !== 'access' || typeof p.sub !== 'string' || typeof p.sid !== 'string') return { ok: false, error: 'Invalid token' };
  return { ok: true, sub: p.sub, sid: p.sid };
}

/** Lifetime of a stream ticket (GET /api/events?ticket=): only the connect is checked. */
export const STREAM_TICKET_TTL_SEC = 60;

/**
 * A short-lived ticket for an EventSource, which cannot send an Authorization header: a JWT of
 * its own `typ` (refused as a Bearer token) naming the session it was issued to.
 */
export function issueStreamTicket(secret: string, sub: string, sid: string, nowSec: number): string {
  return signJwt({ sub, sid, typ: 'stream', iat: nowSec, exp: nowSec + STREAM_TICKET_TTL_SEC }, secret);
}

export function readStreamTicket(token: string, secret: string, nowSec: number): AccessCheck {
  const r = verifyJwt(token, secret, nowSec);
  if (!r.ok) return { ok: false, error: r.reason === 'expired' ? 'Token expired' : 'Invalid token' };
  const p = r.payload;
  if (p.typ !== 'stream' || typeof p.sub !== 'string' || typeof p.sid !== 'string') return { ok: false, error: 'Invalid token' };
  return { ok: true, sub: p.sub, sid: p.sid };
}

export type RefreshCheck =
  | { ok: true; kind: 'session'; sub: string; sid: string }
  | { ok: true; kind: 'legacy'; sub: string }
  | { ok: false; error: 'Invalid refresh token' | 'Refresh token expired. Please login again.' };

/**
 * Reads a refresh token: ours (`typ:"refresh"` + `sid`), or a legacy refresh token (exactly the
 * legacy shape `{sub,iat,exp}`, signed with the same JWT_SECRET). Access tokens are refused
 * (legacy accepted them here). `ignoreExpiry` serves logout, which may revoke with an old token.
 */
export function readRefreshToken(token: string, secret: string, nowSec: number, opts: { ignoreExpiry?: boolean } = {}): RefreshCheck {
  const r = verifyJwt(token, secret, opts.ignoreExpiry ? Number.NEGATIVE_INFINITY : nowSec);
  if (!r.ok) return { ok: false, error: r.reason === 'expired' ? 'Refresh token expired. Please login again.' : 'Invalid refresh token' };
  const p = r.payload;
  if (typeof p.sub !== 'string' || p.sub === '') return { ok: false, error: 'Invalid refresh token' };
  if (p.typ === 'refresh' && typeof p.sid === 'string') return { ok: true, kind: 'session', sub: p.sub, sid: p.sid };
  const keys = Object.keys(p);
  const legacyShape = keys.length === 3 && typeof p.iat === 'number' && typeof p.exp === 'number';
  if (legacyShape) return { ok: true, kind: 'legacy', sub: p.sub };
  return { ok: false, error: 'Invalid refresh token' };
}
