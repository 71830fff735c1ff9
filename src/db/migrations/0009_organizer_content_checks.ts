import { type Kysely, sql } from 'kysely';
import { ddlFor, type Engine } from '../dialect.js';

/**
 * Organizer runs and their journal (src/organizer), and content-check results per file
 * (src/verify). New tables, no legacy file (legacy kept all three in memory).
 * - `organizer_runs`: one row per apply (or dry run) with its counters and status.
 * - `organizer_journal`: one row per file operation a run applied, with what undo needs (the
 *   folders it created, the empty folders it removed, the destination's size and mtime).
 * - `content_checks`: the last ffprobe/security check of a file, keyed by its resolved path.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const d = ddlFor(engine);
  await sql
    .raw(
      `CREATE TABLE organizer_runs (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('queued', 'organizing', 'completed', 'failed', 'undoing', 'undone')),
    operation TEXT NOT NULL CHECK (operation IN ('move', 'copy', 'hardlink')),
    ${d.bool('dry_run', { notNull: true })},
    ${d.json('options', { notNull: true })},
    total_files INTEGER NOT NULL DEFAULT 0,
    processed_files INTEGER NOT NULL DEFAULT 0,
    success_count INTEGER NOT NULL DEFAULT 0,
    skip_count INTEGER NOT NULL DEFAULT 0,
    error_count INTEGER NOT NULL DEFAULT 0,
    current_file TEXT,
    ${d.json('errors', { notNull: true, default: '[]' })},
    created_by TEXT,
    ${d.timestamp('created_at', { notNull: true })},
    ${d.timestamp('finished_at')},
    ${d.timestamp('undone_at')}
  )`,
    )
    .execute(db);
  await sql.raw('CREATE INDEX idx_organizer_runs_created ON organizer_runs(created_at, id)').execute(db);
  await sql
    .raw(
      `CREATE TABLE organizer_journal (
    id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES organizer_runs(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    operation TEXT NOT NULL CHECK (operation IN ('move', 'copy', 'hardlink')),
    source TEXT NOT NULL,
    destination TEXT NOT NULL,
    ${d.json('created_dirs', { notNull: true, default: '[]' })},
    ${d.json('removed_dirs', { notNull: true, default: '[]' })},
    size ${d.bigint} NOT NULL,
    mtime_ms ${d.bigint} NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('applied', 'undone', 'undo_failed')),
    error TEXT,
    ${d.timestamp('applied_at', { notNull: true })},
    ${d.timestamp('undone_at')},
    UNIQUE (run_id, seq)
  )`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE TABLE content_checks (
    path TEXT PRIMARY KEY,
    ${d.bool('passed', { notNull: true })},
    issue_count INTEGER NOT NULL,
    security_issue_count INTEGER NOT NULL,
    ${d.json('result', { notNull: true })},
    ${d.json('metadata')},
    job_id TEXT,
    ${d.timestamp('checked_at', { notNull: true })}
  )`,
    )
    .execute(db);
  await sql.raw('CREATE INDEX idx_content_checks_checked ON content_checks(checked_at, path)').execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('DROP TABLE content_checks').execute(db);
  await sql.raw('DROP TABLE organizer_journal').execute(db);
  await sql.raw('DROP TABLE organizer_runs').execute(db);
}
