import { type Kysely, sql } from 'kysely';
import { ddlFor, type Engine } from '../dialect.js';

/**
 * The audit log: who changed what and when, with the before/after state (secrets already
 * redacted by the audit service). `seq` orders rows written in the same millisecond; the API
 * pages by (at, seq). A new table, no legacy file.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const d = ddlFor(engine);
  await sql
    .raw(
      `CREATE TABLE audit_log (
    ${d.seqPrimaryKey('seq')},
    ${d.timestamp('at', { notNull: true, defaultNow: true })},
    actor TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT,
    action TEXT NOT NULL,
    ${d.json('before')},
    ${d.json('after')}
  )`,
    )
    .execute(db);
  await sql.raw('CREATE INDEX idx_audit_at ON audit_log(at, seq)').execute(db);
  await sql.raw('CREATE INDEX idx_audit_entity_at ON audit_log(entity, at, seq)').execute(db);
  await sql.raw('CREATE INDEX idx_audit_actor_at ON audit_log(actor, at, seq)').execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('DROP TABLE audit_log').execute(db);
}
