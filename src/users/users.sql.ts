import type { Kysely } from 'kysely';
import { compileOnce } from '../db/compiled.js';
import type { DB } from '../db/schema.js';
import { Duplicate } from '../errors.js';
import { emailKey, userFromRow, userToRow } from './users.codec.js';
import type { UserRecord, UsersStore } from './users.types.js';

const userColumns = ['id', 'email', 'password_hash', 'role', 'created_at', 'updated_at', 'last_login_at', 'extra'] as const;

/** A placeholder that no real ISO time equals (see `update`). */
const UPDATED_AT_SENTINEL = '';

function isUniqueViolation(err: unknown): { column: string } | null {
  const e = err as { code?: string; message?: string; constraint?: string };
  if (e?.code === '23505') return { column: e.constraint ?? '' };
  if (typeof e?.code === 'string' && e.code.startsWith('SQLITE_CONSTRAINT') && /UNIQUE|PRIMARY/.test(e.message ?? '')) {
    return { column: e.message ?? '' };
  }
  return null;
}

function duplicateFrom(err: unknown): never {
  const u = isUniqueViolation(err);
  if (u) throw /email/.test(u.column) ? new Duplicate('Email already exists') : new Duplicate('duplicate_id');
  throw err;
}

/** The `users` table (works on a Transaction too). Identical code for SQLite and PostgreSQL. */
export function createUsersSql(db: Kysely<DB>): UsersStore {
  const byId = compileOnce(db, 1, (slot) => db.selectFrom('users').select(userColumns).where('id', '=', slot<string>(0)));
  return {
    async getById(id) {
      const row = (await byId([id])).rows[0];
      return row ? userFromRow(row) : undefined;
    },

    async getByEmail(email) {
      const row = await db.selectFrom('users').select(userColumns).where('email_lower', '=', emailKey(email)).executeTakeFirst();
      return row ? userFromRow(row) : undefined;
    },

    async count() {
      const r = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async list() {
      const rows = await db.selectFrom('users').select(userColumns).orderBy('created_at').orderBy('id').execute();
      return rows.map((r) => userFromRow(r));
    },

    async insert(user: UserRecord) {
      try {
        await db.insertInto('users').values(userToRow(user)).execute();
      } catch (err) {
        duplicateFrom(err);
      }
    },

    async update(user: UserRecord) {
      const row = userToRow(user);
      // The schema's updated_at trigger stamps "now" on any UPDATE that leaves updated_at as it
      // was. Legacy changes updatedAt only with the password (FORMATS §3.1), and the dual phases
      // need the file and the row to agree, so the value the service chose is written in two
      // steps that each change it (sentinel, then the real value): the trigger never fires.
      const write = async (tx: Kysely<DB>) => {
        const { id: _id, updated_at: updatedAt, ...rest } = row;
        try {
          await tx
            .updateTable('users')
            .set({ ...rest, updated_at: UPDATED_AT_SENTINEL })
            .where('id', '=', user.id)
            .execute();
        } catch (err) {
          duplicateFrom(err);
        }
        await tx
          .updateTable('users')
          // No updatedAt in the record (hand-edited file): the codec marks it absent; any value does.
          .set((eb) => ({ updated_at: updatedAt ?? eb.ref('created_at') }))
          .where('id', '=', user.id)
          .execute();
      };
      if (db.isTransaction) await write(db);
      else await db.transaction().execute(write);
    },

    /** Also removes the user's sessions (no foreign key since migration 0002). */
    async remove(id) {
      const run = async (k: Kysely<DB>) => {
        await k.deleteFrom('sessions').where('user_id', '=', id).execute();
        const r = await k.deleteFrom('users').where('id', '=', id).executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      };
      return db.isTransaction ? run(db) : db.transaction().execute(run);
    },
  };
}
