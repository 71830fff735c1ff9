import { phasedStore } from '../storage/phased-store.js';
import type { StoreContext } from '../stores.js';
import { createUsersJson } from './users.json.js';
import { createUsersSql } from './users.sql.js';
import type { UserRecord } from './users.types.js';

/**
 * What services see of the users. Write methods take complete records (ids and times chosen by
 * the service) so the dual phases write the same record to the database and to users.json.
 */
export interface UsersStore {
  getById(id: string): Promise<UserRecord | undefined>;
  /** Case-insensitive (JavaScript toLowerCase, as legacy compared). */
  getByEmail(email: string): Promise<UserRecord | undefined>;
  count(): Promise<number>;
  list(): Promise<UserRecord[]>;
  /** Throws Duplicate('Email already exists') (or 'duplicate_id'). */
  insert(user: UserRecord): Promise<void>;
  /** Replaces the stored record with `user` (same id), exactly as given, `updatedAt` included. */
  update(user: UserRecord): Promise<void>;
  remove(id: string): Promise<boolean>;
}

export function createUsersStore(ctx: StoreContext): UsersStore {
  return phasedStore<UsersStore>({
    name: 'users',
    phase: ctx.phase,
    sql: createUsersSql(ctx.db.kysely),
    json: createUsersJson({ configDir: ctx.configDir }),
    writes: ['insert', 'update', 'remove'],
    fileSync: ctx.fileSync,
    log: ctx.log,
  });
}
