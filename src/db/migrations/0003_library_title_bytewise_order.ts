import { type Kysely, sql } from 'kysely';
import type { Engine } from '../dialect.js';

/**
 * Title order by code point on PostgreSQL too (SQLite compares TEXT bytewise): with the server's
 * locale collation the two engines would page a library in different orders. The indexes on
 * title_lower are rebuilt by the type change. SQLite: nothing to do.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  if (engine !== 'postgres') return;
  await sql.raw('ALTER TABLE library_items ALTER COLUMN title_lower TYPE text COLLATE "C"').execute(db);
}

export async function down(db: Kysely<any>, engine: Engine): Promise<void> {
  if (engine !== 'postgres') return;
  await sql.raw('ALTER TABLE library_items ALTER COLUMN title_lower TYPE text COLLATE "default"').execute(db);
}
