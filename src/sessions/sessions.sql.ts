import type { Kysely, Selectable } from 'kysely';
import { compileOnce } from '../db/compiled.js';
import type { DB, SessionsTable } from '../db/schema.js';
import type { NewSession, RotateSession, SessionRecord, SessionsStore, SessionWithUser } from './sessions.types.js';

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
export function createSessionsSql(db: Kysely<DB>): SessionsStore & Required<Pick<SessionsStore, 'getWithUser'>> {
  // The per-request look-ups, compiled once (src/db/compiled.ts).
  const byId = compileOnce(db, 1, (slot) => db.selectFrom('sessions').select(sessionColumns).where('id', '=', slot<string>(0)));
  // The user (by primary key) and, on the same row, the session (by primary key) if it exists:
  // one statement, one round trip on PostgreSQL. No row = no such user.
  const withUser = compileOnce(db, 2, (slot) =>
    db
      .selectFrom('users')
      .leftJoin('sessions', (join) => join.on('sessions.id', '=', slot<string>(0)))
      .select(['users.id as u_id', 'users.email as u_email', 'users.role as u_role', ...sessionColumns.map((c) => `sessions.${c} as ${c}` as const)])
      .where('users.id', '=', slot<string>(1)),
  );
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
      const row = (await byId([id])).rows[0];
      return row ? toSession(row) : undefined;
    },

    async getWithUser(id, userId): Promise<SessionWithUser | undefined> {
      const row = (await withUser([id, userId])).rows[0];
      if (!row) return undefined;
      const user = { id: row.u_id, email: row.u_email, role: row.u_role };
      // A left join without a match: every session column is NULL (id is the primary key).
      return row.id === null ? { user } : { user, session: toSession(row as Parameters<typeof toSession>[0]) };
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
