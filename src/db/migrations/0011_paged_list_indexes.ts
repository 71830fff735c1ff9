import { type Kysely, sql } from 'kysely';

/**
 * Indexes for the keyset pages of the activity lists and the content-check results (issue 18):
 * - `idx_grabs_at_key (at, key)` replaces `idx_grabs_at (at)`: the history walks it backwards,
 *   newest first, the key breaking ties, so a page never sorts;
 * - `idx_grabs_position (position, key)`: the queue in file order, and the `max(position)` a new
 *   grab is appended after (a full scan without it);
 * - `idx_content_checks_jobs (checked_at DESC, path) WHERE job_id IS NOT NULL`: the results of
 *   queued checks, newest first and by path within one time, exactly the legacy order.
 * The same statements on both engines (partial indexes and DESC columns exist on both).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw('DROP INDEX idx_grabs_at').execute(db);
  await sql.raw('CREATE INDEX idx_grabs_at_key ON grabs(at, key)').execute(db);
  await sql.raw('CREATE INDEX idx_grabs_position ON grabs(position, key)').execute(db);
  await sql.raw('CREATE INDEX idx_content_checks_jobs ON content_checks(checked_at DESC, path) WHERE job_id IS NOT NULL').execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('DROP INDEX idx_content_checks_jobs').execute(db);
  await sql.raw('DROP INDEX idx_grabs_position').execute(db);
  await sql.raw('DROP INDEX idx_grabs_at_key').execute(db);
  await sql.raw('CREATE INDEX idx_grabs_at ON grabs(at)').execute(db);
}
