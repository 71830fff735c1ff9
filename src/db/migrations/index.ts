import type { Kysely } from 'kysely';
import type { Engine } from '../dialect.js';
import * as m0001 from './0001_initial.js';
import * as m0002 from './0002_sessions_without_user_fk.js';
import * as m0003 from './0003_library_title_bytewise_order.js';

export interface Migration {
  version: number;
  name: string;
  up(db: Kysely<any>, engine: Engine): Promise<void>;
  down(db: Kysely<any>, engine: Engine): Promise<void>;
}

/**
 * Every migration, in order. A static list (not a directory scan) so it survives compilation and
 * bundling; test/db/migrations.test.ts checks that every file in this folder is listed.
 */
export const migrations: readonly Migration[] = [
  { version: 1, name: '0001_initial', up: m0001.up, down: m0001.down },
  { version: 2, name: '0002_sessions_without_user_fk', up: m0002.up, down: m0002.down },
  { version: 3, name: '0003_library_title_bytewise_order', up: m0003.up, down: m0003.down },
];
