import { type Kysely, sql } from 'kysely';
import { ddlFor, type Engine } from '../dialect.js';

/**
 * State that several server processes on one database must share (issue 19):
 * - `rate_counters`: fixed-window counters of the request rate limit and the failed-login
 *   limiter, keyed by what they count (`rl:<ip>`, `login:ip:<ip>`, ...); `reset_at` is epoch ms.
 * - `event_outbox`: SQLite only carries events between processes through it (PostgreSQL uses
 *   NOTIFY); rows are kept a minute and then purged.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const d = ddlFor(engine);
  await sql.raw('CREATE TABLE rate_counters (key TEXT PRIMARY KEY, count INTEGER NOT NULL, reset_at BIGINT NOT NULL)').execute(db);
  await sql.raw('CREATE INDEX idx_rate_counters_reset ON rate_counters(reset_at)').execute(db);
  await sql
    .raw(
      `CREATE TABLE event_outbox (
    ${d.seqPrimaryKey('seq')},
    origin TEXT NOT NULL,
    topic TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_ms BIGINT NOT NULL
  )`,
    )
    .execute(db);
  await sql.raw('CREATE INDEX idx_event_outbox_created ON event_outbox(created_ms)').execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('DROP TABLE event_outbox').execute(db);
  await sql.raw('DROP TABLE rate_counters').execute(db);
}
