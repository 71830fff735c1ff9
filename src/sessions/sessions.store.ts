import type { StoreContext } from '../stores.js';
import { createSessionsSql } from './sessions.sql.js';
import type { NewSession, RotateSession, SessionRecord, SessionWithUser } from './sessions.types.js';

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

/**
 * Sessions have no legacy file: they live in the database in every phase, `files` included
 * (sql only, never dual-written; migration 0002 removed the foreign key to users for that phase).
 */
export function createSessionsStore(ctx: StoreContext): SessionsStore {
  const { getWithUser, ...store } = createSessionsSql(ctx.db.kysely);
  // The join reads users from the database: right only in the phases that read users from there.
  return ctx.phase === 'db' || ctx.phase === 'dual-read-db' ? { ...store, getWithUser } : store;
}
