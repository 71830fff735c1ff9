import { type Kysely, sql } from 'kysely';
import { ddlFor, type Engine } from '../dialect.js';

/**
 * Answers of the metadata services (TMDB, MusicBrainz, Open Library) kept until `expires_at`, so
 * a repeated search or details lookup costs no request. `key` is the provider plus a hash of the
 * request (never the API key); `request` is the request without secrets, for operators. A cache:
 * no legacy file, rows may be deleted at any time.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const d = ddlFor(engine);
  await sql
    .raw(
      `CREATE TABLE metadata_cache (
    key TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    request TEXT NOT NULL,
    ${d.json('value', { notNull: true })},
    ${d.timestamp('fetched_at', { notNull: true })},
    ${d.timestamp('expires_at', { notNull: true })}
  )`,
    )
    .execute(db);
  await sql.raw('CREATE INDEX idx_metadata_cache_expires ON metadata_cache(expires_at)').execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('DROP TABLE metadata_cache').execute(db);
}
