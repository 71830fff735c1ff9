import { type Kysely, sql } from 'kysely';
import { ddlFor, type Engine } from '../dialect.js';

/**
 * Sessions no longer reference users(id) by foreign key. In the `files` storage phase the users
 * live in users.json, not in the users table, yet sessions (which have no legacy file) always live
 * in the database; the foreign key made every login in that phase fail. Deleting a user revokes
 * and removes its sessions in the users store instead of by cascade.
 * SQLite cannot drop a constraint, so the table is rebuilt (its rows copied) in this transaction.
 */
function sessionsTable(engine: Engine, name: string, withFk: boolean): string {
  const d = ddlFor(engine);
  return `CREATE TABLE ${name} (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL${withFk ? ' REFERENCES users(id) ON DELETE CASCADE' : ''},
    token_hash TEXT NOT NULL,
    ${d.timestamp('expires_at', { notNull: true })},
    ${d.timestamp('created_at', { notNull: true, defaultNow: true })},
    ${d.timestamp('revoked_at')},
    revoke_reason TEXT,
    ${d.timestamp('last_used_at')},
    user_agent TEXT,
    ip TEXT
  )`;
}

const COLUMNS = 'id, user_id, token_hash, expires_at, created_at, revoked_at, revoke_reason, last_used_at, user_agent, ip';
const INDEXES = [
  'CREATE INDEX idx_sessions_token_hash ON sessions(token_hash)',
  'CREATE INDEX idx_sessions_user_id ON sessions(user_id)',
  'CREATE INDEX idx_sessions_expires_at ON sessions(expires_at)',
];

async function rebuildSqlite(db: Kysely<any>, withFk: boolean): Promise<void> {
  await sql.raw(sessionsTable('sqlite', 'sessions_rebuilt', withFk)).execute(db);
  const keep = withFk ? ' WHERE user_id IN (SELECT id FROM users)' : '';
  await sql.raw(`INSERT INTO sessions_rebuilt (${COLUMNS}) SELECT ${COLUMNS} FROM sessions${keep}`).execute(db);
  await sql.raw('DROP TABLE sessions').execute(db);
  await sql.raw('ALTER TABLE sessions_rebuilt RENAME TO sessions').execute(db);
  for (const s of INDEXES) await sql.raw(s).execute(db);
}

export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  if (engine === 'sqlite') return rebuildSqlite(db, false);
  await sql.raw('ALTER TABLE sessions DROP CONSTRAINT sessions_user_id_fkey').execute(db);
}

export async function down(db: Kysely<any>, engine: Engine): Promise<void> {
  if (engine === 'sqlite') return rebuildSqlite(db, true);
  await sql.raw('DELETE FROM sessions WHERE user_id NOT IN (SELECT id FROM users)').execute(db);
  await sql.raw('ALTER TABLE sessions ADD CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE').execute(db);
}
