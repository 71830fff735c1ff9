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

export interface SessionsStore {
  create(session: NewSession): Promise<void>;
  /** By primary key: the one lookup every authenticated request makes. */
  get(id: string): Promise<SessionRecord | undefined>;
  /**
   * The user `userId` (undefined: no such user) with the session `id` if it exists, in one
   * read. Only where the users are read from the database too (phases `db`, `dual-read-db`);
   * elsewhere the caller reads the users store and `get` separately.
   */
  getWithUser?(id: string, userId: string): Promise<SessionWithUser | undefined>;
  listForUser(userId: string): Promise<SessionRecord[]>;
  /** Compare-and-swap of the refresh-token hash; false when the row no longer holds `fromHash` or is revoked. */
  rotate(id: string, r: RotateSession): Promise<boolean>;
  /** False when the session is unknown or already revoked. */
  revoke(id: string, reason: string, at: string): Promise<boolean>;
  revokeForUser(userId: string, reason: string, at: string): Promise<number>;
  /** Housekeeping: removes sessions whose refresh tokens expired before `before` (ISO). */
  deleteExpired(before: string): Promise<number>;
}
