import type { Kysely, Selectable } from 'kysely';
import type { DB, SessionsTable } from '../db/schema.js';
import type { NewSession, RotateSession, SessionRecord } from './sessions.types.js';
import type { SessionsStore } from './sessions.store.js';

const sessionColumns = ['id', 'user_id', 'token_hash', 'expires_at', 'created_at', 'revoked_at', 'revoke_reason', 'last_used_at', 'user_agent', 'ip'] as const;

function toSession(row: Pick<Selectable<SessionsTable>, (typeof sessionColumns)[number]>): SessionRecord {
  const s: SessionRecord = {
    id: row.id,
    userId: row.user_id,
    tokenHash: row.token_hash,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
  };
  if (row.revoked_at !== null) s.revokedAt = row.revoked_at;
  if (row.revoke_reason !== null) s.revokeReason = row.revoke_reason;
  if (row.last_used_at !== null) s.lastUsedAt = row.last_used_at;
  if (row.user_agent !== null) s.userAgent = row.user_agent;
  if (row.ip !== null) s.ip = row.ip;
  return s;
}

/** The `sessions` table (works on a Transaction too). Identical code for SQLite and PostgreSQL. */
export function createSessionsSql(db: Kysely<DB>): SessionsStore {
  return {
    async create(s: NewSession) {
      await db
        .insertInto('sessions')
        .values({
          id: s.id,
          user_id: s.userId,
          token_hash: s.tokenHash,
          expires_at: s.expiresAt,
          created_at: s.createdAt,
          user_agent: s.userAgent ?? null,
          ip: s.ip ?? null,
        })
        .execute();
    },

    async get(id) {
      const row = await db.selectFrom('sessions').select(sessionColumns).where('id', '=', id).executeTakeFirst();
      return row ? toSession(row) : undefined;
    },

    async listForUser(userId) {
      const rows = await db.selectFrom('sessions').select(sessionColumns).where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute();
      return rows.map(toSession);
    },

    async rotate(id, r: RotateSession) {
      const res = await db
        .updateTable('sessions')
        .set({ token_hash: r.toHash, expires_at: r.expiresAt, last_used_at: r.usedAt })
        .where('id', '=', id)
        .where('token_hash', '=', r.fromHash)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },

    async revoke(id, reason, at) {
      const res = await db
        .updateTable('sessions')
        .set({ revoked_at: at, revoke_reason: reason })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },

    async revokeForUser(userId, reason, at) {
      const res = await db
        .updateTable('sessions')
        .set({ revoked_at: at, revoke_reason: reason })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows);
    },

    async deleteExpired(before) {
      const res = await db.deleteFrom('sessions').where('expires_at', '<', before).executeTakeFirst();
      return Number(res.numDeletedRows);
    },
  };
}
