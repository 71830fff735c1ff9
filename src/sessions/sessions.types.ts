/**
 * A login session (no legacy file: legacy tokens were stateless). One row per login/register;
 * `tokenHash` is the SHA-256 of the session's CURRENT refresh token (rotated on every refresh).
 */
export interface SessionRecord {
  id: string;
  userId: string;
  tokenHash: string;
  expiresAt: string;
  createdAt: string;
  revokedAt?: string;
  revokeReason?: string;
  lastUsedAt?: string;
  userAgent?: string;
  ip?: string;
}

export type RevokeReason = 'logout' | 'refresh_reuse' | 'user_removed' | 'admin' | 'user_disabled' | 'password_changed';

export interface NewSession {
  id: string;
  userId: string;
  tokenHash: string;
  expiresAt: string;
  createdAt: string;
  userAgent?: string;
  ip?: string;
}

export interface RotateSession {
  /** The hash the row must still hold (compare-and-swap: two concurrent refreshes cannot both win). */
  fromHash: string;
  toHash: string;
  expiresAt: string;
  usedAt: string;
}

/** What the Bearer check of every request needs: the user's identity and role, and the session if it exists. */
export interface SessionWithUser {
  user: { id: string; email: string; role: 'admin' | 'user' };
  session?: SessionRecord;
}
