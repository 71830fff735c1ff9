import { type Kysely, sql } from 'kysely';
import { ddlFor, type Engine } from '../dialect.js';

/**
 * The release blocklist: releases the decision engine must reject (a failed or removed
 * download), matched by guid, download link or exact release title. A new table, no legacy file.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const d = ddlFor(engine);
  await sql
    .raw(
      `CREATE TABLE blocklist (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    guid TEXT,
    link TEXT,
    indexer TEXT,
    protocol TEXT,
    reason TEXT,
    ${d.timestamp('created_at', { notNull: true, defaultNow: true })}
  )`,
    )
    .execute(db);
  await sql.raw('CREATE INDEX idx_blocklist_title ON blocklist(title)').execute(db);
  await sql.raw('CREATE INDEX idx_blocklist_guid ON blocklist(guid)').execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('DROP TABLE blocklist').execute(db);
}
