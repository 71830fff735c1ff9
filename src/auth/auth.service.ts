/**
 * Authentication for the whole API (issue #3). Decisions, in one place:
 * - Tokens stay legacy HS256 JWTs signed with JWT_SECRET (API.md §0.4), plus `sid` (session id)
 *   and `typ` ("access" | "refresh"); lifetimes 15 min / 7 days. Every login/register opens a
 *   `sessions` row holding sha256(current refresh token). The kinds are no longer interchangeable.
 * - Refresh rotates the pair. An older refresh token of a session (valid signature, hash
 *   mismatch) is reuse: the whole session is revoked ('refresh_reuse') and the caller gets 401.
 *   Except for a grace window (MEDIAOS_REFRESH_GRACE_SECONDS): the token JUST replaced, presented
 *   within that many seconds of its rotation, is answered with the same new pair (rebuilt from the
 *   session row, see issueRotatedPair), so two tabs or a reload during a refresh keep the session.
 * - Logout revokes the session named by the Bearer access token or `{refreshToken}`; it answers
 *   200 whatever it is given (legacy logout was a no-op).
 * - Legacy tokens (no sid/typ): refused as Bearer; a legacy REFRESH token is exchanged once at
 *   /api/auth/refresh for a session whose id derives from the token, so browsers logged in on the
 *   old server keep their login (NOTES §7) and a second presentation counts as reuse.
 * - `MEDIAOS_REFRESH_ROTATION=false` (opt-in, for the v0.3 web UI, which keeps its first refresh
 *   token and presents it every 14 min, NOTES §1): refresh answers a new access token and the
 *   presented refresh token; that token stays valid until it expires or its session is logged
 *   out. A token the session no longer holds is still reuse. Logout still revokes everything.
 * - Authorization reads the user (role included) and the session by primary key on each request
 *   (one joined read when both are in the database). On PostgreSQL that read may be answered by
 *   this process's session cache (session-cache.ts, MEDIAOS_SESSION_CACHE_MS): a logout or
 *   revocation takes effect on the next request of this process, and on the other processes
 *   sharing the database as soon as its notice reaches them; while a process does not hear the
 *   notices, it reads the database on every request. SQLite reads on every request.
 * - Failed logins are limited (login-limiter.ts; the server passes the database-backed one, so
 *   every process on one database shares the counts) per (email, client IP), `MEDIAOS_LOGIN_RATE_LIMIT` a window, and per client IP at LOGIN_IP_FACTOR times that (one
 *   address spraying many emails). Never per email alone: an attacker elsewhere must not be able
 *   to lock the admin out. The client IP is the socket's, or the forwarded one when TRUST_PROXY
 *   names the reverse proxy (without it, everyone behind a proxy shares the proxy's IP).
 *   Unknown emails cost the same PBKDF2 work as wrong passwords and get the same answer.
 * - Passwords: legacy PBKDF2 verifies as is; in phase db a good login rehashes to argon2id; in
 *   phases files/dual-* new passwords are legacy PBKDF2 so the old server verifies them after a
 *   rollback.
 */
import { indexedOverflow, indexedOverflowMessage } from '../db/indexed-limit.js';
import { Duplicate, Forbidden, Invalid, TooManyRequests, Unauthorized } from '../errors.js';
import { hashPassword, isLegacyPasswordHash, verifyPassword } from '../security/passwords.js';
import { randomHexId, sha256Hex } from '../security/tokens.js';
import type { SessionsStore } from '../sessions/sessions.store.js';
import type { SessionRecord } from '../sessions/sessions.types.js';
import type { StoragePhase } from '../storage/phase-list.js';
import type { AuditRecorder } from '../system/audit.types.js';
import { emailKey } from '../users/users.codec.js';
import { checkEmail, checkNewPassword, hashForPhase, newUserId } from '../users/users.service.js';
import type { UsersStore } from '../users/users.store.js';
import { isDisabled, toUserResponse, type UserRecord, type UserResponse, type UserRole } from '../users/users.types.js';
import {
  type AccessCheck,
  issueAccessToken,
  issueRotatedPair,
  issueStreamTicket,
  issueTokenPair,
  readAccessToken,
  readRefreshToken,
  readStreamTicket,
  STREAM_TICKET_TTL_SEC,
} from './auth.tokens.js';
import type { AuthUser, ClientMeta } from './auth.types.js';
import { createLoginLimiter, type LoginLimiter } from './login-limiter.js';

const LOGIN_WINDOW_MS = 15 * 60 * 1000;
/** Failed logins one client IP may make across all emails, as a multiple of the per-(email, IP) limit. */
export const LOGIN_IP_FACTOR = 5;
const BEARER = 'Bearer ';
const MAX_USER_AGENT = 256;
/** Verified against when the email is unknown, so a miss costs what a wrong password costs. */
const DUMMY_HASH = `${'0'.repeat(32)}:${'0'.repeat(128)}`;

/** 429 for the login limiter; the route turns `retryAfterSec` into a Retry-After header. */
export class LoginRateLimited extends TooManyRequests {
  constructor(readonly retryAfterSec: number) {
    super('Too many login attempts. Try again later.');
  }
}

export interface AuthResult {
  user: UserResponse;
  accessToken: string;
  refreshToken: string;
}

/** A registration by an admin answers the created user only (no tokens). */
export type RegisterResult = (AuthResult | { user: UserResponse; accessToken?: undefined; refreshToken?: undefined }) & { isFirstUser: boolean };

export interface AuthDeps {
  users: UsersStore;
  sessions: SessionsStore;
  jwtSecret: string;
  phase: StoragePhase;
  openRegistration: boolean;
  /** false: refresh tokens are not rotated (MEDIAOS_REFRESH_ROTATION). */
  refreshRotation?: boolean;
  /** Seconds a just-replaced refresh token still answers the pair that replaced it (0: none). */
  refreshGraceSeconds?: number;
  loginRateLimitMax: number;
  /** Builds a failed-login limiter; default in memory (one process). The server passes the shared one. */
  loginLimiter?: (opts: { max: number; windowMs: number; now: () => number }) => LoginLimiter;
  /** Runs a registration holding a lock every server process on the database respects (default: none beyond this process). */
  registrationLock?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Registrations, logins and logouts are audited. */
  audit: AuditRecorder;
  now: () => Date;
}

export type AuthService = ReturnType<typeof createAuthService>;

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function createAuthService(deps: AuthDeps) {
  const { users, sessions, jwtSecret } = deps;
  const nowSec = () => Math.floor(deps.now().getTime() / 1000);
  const nowIso = () => deps.now().toISOString();
  const clock = () => deps.now().getTime();
  const makeLimiter = deps.loginLimiter ?? createLoginLimiter;
  const pairLimiter: LoginLimiter = makeLimiter({ max: deps.loginRateLimitMax, windowMs: LOGIN_WINDOW_MS, now: clock });
  const ipLimiter: LoginLimiter = makeLimiter({ max: deps.loginRateLimitMax * LOGIN_IP_FACTOR, windowMs: LOGIN_WINDOW_MS, now: clock });
  let registering: Promise<unknown> = Promise.resolve();

  async function openSession(user: UserRecord, meta: ClientMeta, sid = randomHexId()): Promise<AuthResult> {
    const pair = issueTokenPair(jwtSecret, user, sid, nowSec());
    await sessions.create({
      id: sid,
      userId: user.id,
      tokenHash: sha256Hex(pair.refreshToken),
      expiresAt: new Date(pair.refreshExp * 1000).toISOString(),
      createdAt: nowIso(),
      ...(meta.ip ? { ip: meta.ip } : {}),
      ...(meta.userAgent ? { userAgent: meta.userAgent.slice(0, MAX_USER_AGENT) } : {}),
    });
    return { user: toUserResponse(user), accessToken: pair.accessToken, refreshToken: pair.refreshToken };
  }

  /** The Bearer check behind every protected route (API.md §0.4 messages, plus "Session revoked"). */
  async function authenticateHeader(header: string | undefined, role: UserRole): Promise<AuthUser> {
    if (typeof header !== 'string' || !header.startsWith(BEARER) || header.length === BEARER.length) {
      throw new Unauthorized('Authentication required');
    }
    return liveSession(readAccessToken(header.slice(BEARER.length), jwtSecret, nowSec()), role);
  }

  /** The same check for a stream ticket (GET /api/events?ticket=, for EventSource). */
  async function authenticateStreamTicket(ticket: string, role: UserRole): Promise<AuthUser> {
    return liveSession(readStreamTicket(ticket, jwtSecret, nowSec()), role);
  }

  /** A ticket for the caller's own session, valid STREAM_TICKET_TTL_SEC. */
  function issueStreamTicketFor(user: AuthUser): { ticket: string; expiresIn: number } {
    return { ticket: issueStreamTicket(jwtSecret, user.id, user.sessionId, nowSec()), expiresIn: STREAM_TICKET_TTL_SEC };
  }

  async function liveSession(check: AccessCheck, role: UserRole): Promise<AuthUser> {
    if (!check.ok) throw new Unauthorized(check.error);
    // One read where users and sessions live in the same database, else two.
    const found = sessions.getWithUser
      ? await sessions.getWithUser(check.sid, check.sub)
      : await users.getById(check.sub).then(async (u) => (u ? { user: u, session: await sessions.get(check.sid) } : undefined));
    if (!found) throw new Unauthorized('User not found');
    const { user, session } = found;
    if (!session || session.userId !== user.id || session.revokedAt !== undefined || session.expiresAt < nowIso()) {
      throw new Unauthorized('Session revoked');
    }
    if (role === 'admin' && user.role !== 'admin') throw new Forbidden('Insufficient permissions');
    return { id: user.id, email: user.email, role: user.role, sessionId: session.id };
  }

  /**
   * The first user becomes admin and gets tokens; so does anyone under open registration. A user
   * created by an admin (Bearer admin token) is answered without tokens: the admin must not hold
   * a session of someone else.
   */
  async function register(body: { email?: unknown; password?: unknown }, authorization: string | undefined, meta: ClientMeta): Promise<RegisterResult> {
    // One registration at a time: two "first users" must not both become admin.
    const locked = deps.registrationLock ?? (<T>(fn: () => Promise<T>) => fn());
    const run = registering.then(() =>
      locked(async (): Promise<RegisterResult> => {
        const isFirstUser = (await users.count()) === 0;
        let byAdmin = false;
        let adminId: string | undefined;
        if (!isFirstUser && !deps.openRegistration) {
          adminId = (await authenticateHeader(authorization, 'admin')).id;
          byAdmin = true;
        } else if (!isFirstUser && authorization !== undefined) {
          adminId = await authenticateHeader(authorization, 'admin').then(
            (a) => a.id,
            () => undefined,
          );
          byAdmin = adminId !== undefined;
        }
        const email = checkEmail(str(body.email) ?? '');
        const emailBytes = indexedOverflow(email) ?? indexedOverflow(emailKey(email)); // both are unique indexes
        if (emailBytes !== undefined) throw new Invalid(`email: ${indexedOverflowMessage(emailBytes)}`);
        const password = str(body.password) ?? '';
        checkNewPassword(password);
        if (await users.getByEmail(email)) throw new Duplicate('Email already exists');
        const at = nowIso();
        const user: UserRecord = {
          id: newUserId(deps.now().getTime()),
          email,
          passwordHash: await hashForPhase(deps.phase, password),
          role: isFirstUser ? 'admin' : 'user',
          createdAt: at,
          updatedAt: at,
        };
        await users.insert(user);
        meta.log?.info({ userId: user.id, role: user.role, byAdmin }, 'user registered');
        await deps.audit.record({ actor: adminId ?? user.id, entity: 'user', entityId: user.id, action: 'create', after: toUserResponse(user) });
        if (byAdmin) return { user: toUserResponse(user), isFirstUser };
        return { ...(await openSession(user, meta)), isFirstUser };
      }),
    );
    registering = run.catch(() => undefined);
    return run;
  }

  async function login(body: { email?: unknown; password?: unknown }, meta: ClientMeta): Promise<AuthResult> {
    const email = str(body.email)?.trim();
    const password = str(body.password);
    if (!email || !password) throw new Invalid('Email and password are required');
    const ipKey = [`ip:${meta.ip ?? ''}`];
    const pairKey = [`email-ip:${emailKey(email)} ${meta.ip ?? ''}`];
    const wait = Math.max(await ipLimiter.retryAfter(ipKey), await pairLimiter.retryAfter(pairKey));
    if (wait > 0) throw new LoginRateLimited(wait);

    const user = await users.getByEmail(email);
    const good = await verifyPassword(password, user ? user.passwordHash : DUMMY_HASH);
    if (!user || !good) {
      await ipLimiter.recordFailure(ipKey);
      await pairLimiter.recordFailure(pairKey);
      throw new Unauthorized('Invalid credentials');
    }
    if (isDisabled(user)) throw new Forbidden('Account disabled');
    await pairLimiter.clear(pairKey[0]);
    const before = { ...user };
    const updated: UserRecord = { ...user, lastLoginAt: nowIso() };
    // Legacy PBKDF2 hashes move to argon2id once the files are retired; updatedAt stays (the
    // password did not change: FORMATS §3.1 ties updatedAt to password changes).
    if (deps.phase === 'db' && isLegacyPasswordHash(user.passwordHash)) updated.passwordHash = await hashPassword(password);
    await users.update(updated);
    const sid = randomHexId();
    const result = await openSession(updated, meta, sid);
    await deps.audit.record({
      actor: user.id,
      entity: 'session',
      entityId: sid,
      action: 'login',
      after: { userId: user.id, ip: meta.ip, userAgent: meta.userAgent },
    });
    // Legacy answers with the user as it was before this login (previous lastLoginAt or none).
    return { ...result, user: toUserResponse(before) };
  }

  async function refresh(body: { refreshToken?: unknown }, meta: ClientMeta): Promise<AuthResult> {
    const token = str(body.refreshToken);
    if (!token) throw new Invalid('Refresh token is required');
    const check = readRefreshToken(token, jwtSecret, nowSec());
    if (!check.ok) throw new Unauthorized(check.error);

    if (check.kind === 'legacy') {
      // A browser logged in on the old server (NOTES §7): its refresh token is exchanged ONCE for a
      // session whose id is derived from the token, so a second presentation is recognised as reuse.
      const sid = sha256Hex(`legacy-refresh:${token}`).slice(0, 32);
      const exchanged = await sessions.get(sid);
      if (exchanged && deps.refreshRotation === false) return keepRefreshToken(exchanged, await liveSessionUser(exchanged, check.sub), token);
      if (exchanged) {
        await sessions.revoke(sid, 'refresh_reuse', nowIso());
        meta.log?.warn({ userId: check.sub, sessionId: sid }, 'legacy refresh token presented twice; session revoked');
        throw new Unauthorized('Session revoked');
      }
      const user = await users.getById(check.sub);
      if (!user) throw new Unauthorized('Invalid token');
      if (isDisabled(user)) throw new Unauthorized('Session revoked');
      try {
        return await openSession(user, meta, sid);
      } catch (err) {
        if (await sessions.get(sid)) throw new Unauthorized('Session revoked'); // lost a race with itself
        throw err;
      }
    }

    const session = await sessions.get(check.sid);
    if (!session) throw new Unauthorized('Session revoked');
    const user = await liveSessionUser(session, check.sub);

    const presented = sha256Hex(token);
    if (deps.refreshRotation === false && presented === session.tokenHash) return keepRefreshToken(session, user, token);
    if (presented === session.tokenHash) {
      // One instant for both the tokens' iat and the row's last_used_at: the grace check rebuilds the pair from it.
      const at = deps.now();
      const atSec = Math.floor(at.getTime() / 1000);
      const pair = issueRotatedPair(jwtSecret, user, session.id, presented, atSec);
      const rotated = await sessions.rotate(session.id, {
        fromHash: presented,
        toHash: sha256Hex(pair.refreshToken),
        expiresAt: new Date(pair.refreshExp * 1000).toISOString(),
        usedAt: new Date(atSec * 1000).toISOString(),
      });
      if (rotated) return { user: toUserResponse(user), accessToken: pair.accessToken, refreshToken: pair.refreshToken };
    }
    // The token just replaced (by this request's twin, another tab, another server process):
    // within the grace window it gets the same new pair; the row is read again for a lost race.
    const replay = graceReplay(presented === session.tokenHash ? await sessions.get(session.id) : session, user, presented);
    if (replay) return replay;
    // An older refresh token of this session: someone else may hold the current one. Revoke the
    // whole session; its owner logs in again.
    await sessions.revoke(session.id, 'refresh_reuse', nowIso());
    meta.log?.warn({ userId: user.id, sessionId: session.id }, 'refresh token reuse; session revoked');
    throw new Unauthorized('Session revoked');
  }

  /**
   * The pair that replaced the token hashed `presented`, if that replacement is the session's
   * current token (so `presented` is the one token just before it: the `jti` ties them) and
   * happened at most `refreshGraceSeconds` ago. Everything needed is in the session row.
   */
  function graceReplay(session: SessionRecord | undefined, user: UserRecord, presented: string): AuthResult | undefined {
    const grace = deps.refreshGraceSeconds ?? 0;
    if (grace <= 0 || !session || session.revokedAt !== undefined || session.lastUsedAt === undefined) return undefined;
    const rotatedMs = Date.parse(session.lastUsedAt);
    if (!(clock() - rotatedMs <= grace * 1000)) return undefined;
    const pair = issueRotatedPair(jwtSecret, user, session.id, presented, Math.floor(rotatedMs / 1000));
    if (sha256Hex(pair.refreshToken) !== session.tokenHash) return undefined;
    return { user: toUserResponse(user), accessToken: pair.accessToken, refreshToken: pair.refreshToken };
  }

  /** The user of a session a refresh token names, if the session still lets it refresh. */
  async function liveSessionUser(session: SessionRecord, sub: string): Promise<UserRecord> {
    if (session.userId !== sub) throw new Unauthorized('Invalid refresh token');
    const user = await users.getById(sub);
    if (!user) throw new Unauthorized('Invalid token');
    if (isDisabled(user)) throw new Unauthorized('Session revoked');
    if (session.revokedAt !== undefined || session.expiresAt < nowIso()) throw new Unauthorized('Session revoked');
    return user;
  }

  /** Refresh without rotation: a new access token for the live session, the same refresh token. */
  function keepRefreshToken(session: SessionRecord, user: UserRecord, token: string): AuthResult {
    return { user: toUserResponse(user), accessToken: issueAccessToken(jwtSecret, user, session.id, nowSec()), refreshToken: token };
  }

  /**
   * Revokes the session named by the Bearer access token or by `{refreshToken}`. Always succeeds
   * (legacy logout was a no-op that answered 200), so it reveals nothing about a token.
   */
  async function logout(authorization: string | undefined, body: { refreshToken?: unknown }): Promise<void> {
    const at = nowIso();
    const targets: { sub: string; sid: string }[] = [];
    if (typeof authorization === 'string' && authorization.startsWith(BEARER)) {
      // An expired access token still names its session: logging out must work after a nap.
      const c = readAccessToken(authorization.slice(BEARER.length), jwtSecret, 0);
      if (c.ok) targets.push(c);
    }
    const token = str(body.refreshToken);
    if (token) {
      const c = readRefreshToken(token, jwtSecret, nowSec(), { ignoreExpiry: true });
      if (c.ok && c.kind === 'session') targets.push(c);
    }
    for (const t of targets) {
      const s = await sessions.get(t.sid);
      // Audited once: a second logout of the same session changes nothing.
      if (s && s.userId === t.sub && (await sessions.revoke(t.sid, 'logout', at))) {
        await deps.audit.record({ actor: t.sub, entity: 'session', entityId: t.sid, action: 'logout' });
      }
    }
  }

  async function me(userId: string): Promise<UserResponse> {
    const user = await users.getById(userId);
    if (!user) throw new Unauthorized('User not found');
    return toUserResponse(user);
  }

  async function status() {
    const hasUsers = (await users.count()) > 0;
    return { ok: true as const, configured: jwtSecret.length >= 32, hasUsers, requiresSetup: !hasUsers };
  }

  return { authenticateHeader, authenticateStreamTicket, issueStreamTicket: issueStreamTicketFor, register, login, refresh, logout, me, status };
}
