import { type Kysely, sql } from 'kysely';

/**
 * Indexes that single-row writes need once the history tables are large. At 1M library items
 * with ~109k grabs, ~79k verify results and ~52k wanted items, without them:
 * - deleting a library item read grabs and verify_results whole (their `library_item_id` links
 *   are `ON DELETE SET NULL`, and only wanted_items and verify_jobs had an index on the link);
 * - adding a library item read wanted_items whole to link the entries that name its id
 *   (`item_id` is the second column of the unique (kind, item_id) index);
 * - recording a verify result under a new key read the whole table for `max(position)` (grabs
 *   have `idx_grabs_position` since 0011);
 * - the automation's sweep (least recently searched first) sorted every wanted item per batch.
 * Indexes only (and fresh statistics for their tables): no row changes, so `down` drops them.
 */
const INDEXES: [name: string, definition: string][] = [
  ['idx_grabs_library_item_id', 'grabs(library_item_id)'],
  ['idx_verify_results_library_item_id', 'verify_results(library_item_id)'],
  ['idx_wanted_item_id', 'wanted_items(item_id)'],
  ['idx_verify_results_position', 'verify_results(position, key)'],
  ['idx_wanted_search_age', "wanted_items((coalesce(last_search_at, '')), id)"],
];

/** Tables whose planner statistics should cover the new indexes at once (not at the next optimize). */
const TABLES = ['grabs', 'verify_results', 'wanted_items'];

export async function up(db: Kysely<any>): Promise<void> {
  for (const [name, definition] of INDEXES) await sql.raw(`CREATE INDEX ${name} ON ${definition}`).execute(db);
  for (const table of TABLES) await sql.raw(`ANALYZE ${table}`).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [name] of [...INDEXES].reverse()) await sql.raw(`DROP INDEX ${name}`).execute(db);
}
