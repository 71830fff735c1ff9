import type { StoreContext } from '../storage/store-context.js';
import { createSessionsSql } from './sessions.sql.js';
import type { SessionsStore } from './sessions.types.js';

export type { SessionsStore } from './sessions.types.js';

/**
 * Sessions have no legacy file: they live in the database in every phase, `files` included
 * (sql only, never dual-written; migration 0002 removed the foreign key to users for that phase).
 */
export function createSessionsStore(ctx: StoreContext): SessionsStore {
  const { getWithUser, ...store } = createSessionsSql(ctx.db.kysely);
  // The join reads users from the database: right only in the phases that read users from there.
  return ctx.phase === 'db' || ctx.phase === 'dual-read-db' ? { ...store, getWithUser } : store;
}
