import { type Kysely, sql } from 'kysely';
import { ddlFor, type Engine } from '../dialect.js';

/**
 * Files the library scanner found under the media roots (src/media): one row per file, keyed by
 * its resolved path, with what a rescan compares (size, mtime) and the library item it belongs
 * to. A file that vanished is marked `missing` (with the time), never deleted by a scan. A new
 * table, no legacy file. `item_id` has no foreign key: library deletes never cascade (legacy).
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const d = ddlFor(engine);
  await sql
    .raw(
      `CREATE TABLE media_files (
    id TEXT PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    root TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('movie', 'series', 'music', 'book')),
    item_id TEXT,
    size ${d.bigint} NOT NULL,
    mtime_ms ${d.bigint} NOT NULL,
    quality TEXT,
    ${d.json('parsed', { notNull: true })},
    status TEXT NOT NULL CHECK (status IN ('present', 'missing')),
    ${d.timestamp('missing_since')},
    ${d.timestamp('first_seen_at', { notNull: true })},
    ${d.timestamp('last_seen_at', { notNull: true })}
  )`,
    )
    .execute(db);
  await sql.raw('CREATE INDEX idx_media_files_root ON media_files(root, path)').execute(db);
  await sql.raw('CREATE INDEX idx_media_files_item ON media_files(item_id)').execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('DROP TABLE media_files').execute(db);
}
