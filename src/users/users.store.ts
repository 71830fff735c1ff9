import { phasedStore } from '../storage/phased-store.js';
import type { StoreContext } from '../storage/store-context.js';
import { createUsersJson } from './users.json.js';
import { createUsersSql } from './users.sql.js';
import type { UsersStore } from './users.types.js';

export type { UsersStore } from './users.types.js';

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
