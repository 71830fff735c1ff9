import type { Kysely } from 'kysely';
import type { Engine } from '../dialect.js';
import * as m0001 from './0001_initial.js';
import * as m0002 from './0002_sessions_without_user_fk.js';
import * as m0003 from './0003_library_title_bytewise_order.js';
import * as m0004 from './0004_library_title_unique_index.js';
import * as m0005 from './0005_blocklist.js';
import * as m0006 from './0006_media_files.js';
import * as m0007 from './0007_audit.js';
import * as m0008 from './0008_metadata_cache.js';
import * as m0009 from './0009_organizer_content_checks.js';
import * as m0010 from './0010_shared_state.js';
import * as m0011 from './0011_paged_list_indexes.js';
import * as m0012 from './0012_write_path_indexes.js';

export interface Migration {
  version: number;
  name: string;
  up(db: Kysely<any>, engine: Engine): Promise<void>;
  down(db: Kysely<any>, engine: Engine): Promise<void>;
  /**
   * SQLite: run with foreign keys off (a table rebuild: DROP TABLE would otherwise null or delete
   * the rows that point at the table). The migrator runs `PRAGMA foreign_key_check` before it commits.
   */
  disableForeignKeys?: boolean;
}

/**
 * Every migration, in order. A static list (not a directory scan) so it survives compilation and
 * bundling; test/db/migrations.test.ts checks that every file in this folder is listed.
 */
export const migrations: readonly Migration[] = [
  { version: 1, name: '0001_initial', up: m0001.up, down: m0001.down },
  { version: 2, name: '0002_sessions_without_user_fk', up: m0002.up, down: m0002.down },
  { version: 3, name: '0003_library_title_bytewise_order', up: m0003.up, down: m0003.down },
  { version: 4, name: '0004_library_title_unique_index', up: m0004.up, down: m0004.down, disableForeignKeys: m0004.disableForeignKeys },
  { version: 5, name: '0005_blocklist', up: m0005.up, down: m0005.down },
  { version: 6, name: '0006_media_files', up: m0006.up, down: m0006.down },
  { version: 7, name: '0007_audit', up: m0007.up, down: m0007.down },
  { version: 8, name: '0008_metadata_cache', up: m0008.up, down: m0008.down },
  { version: 9, name: '0009_organizer_content_checks', up: m0009.up, down: m0009.down },
  { version: 10, name: '0010_shared_state', up: m0010.up, down: m0010.down },
  { version: 11, name: '0011_paged_list_indexes', up: m0011.up, down: m0011.down },
  { version: 12, name: '0012_write_path_indexes', up: m0012.up, down: m0012.down },
];
