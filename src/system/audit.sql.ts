import type { Kysely } from 'kysely';
import { fromJson, toJsonOrNull } from '../db/json.js';
import type { DB } from '../db/schema.js';
import type { AuditEntry, AuditEvent, AuditQuery } from './audit.types.js';

/** The audit log table (migration 0007), the same on both engines. Rows arrive redacted. */
export function createAuditSql(db: Kysely<DB>) {
  return {
    async insert(e: AuditEvent, at: string): Promise<void> {
      await db
        .insertInto('audit_log')
        .values({
          at,
          actor: e.actor,
          entity: e.entity,
          entity_id: e.entityId ?? null,
          action: e.action,
          before: toJsonOrNull(e.before),
          after: toJsonOrNull(e.after),
        })
        .execute();
    },

    /** Newest first, keyset by (at, seq): never OFFSET. */
    async list(q: AuditQuery): Promise<AuditEntry[]> {
      let query = db.selectFrom('audit_log').selectAll();
      if (q.entity) query = query.where('entity', '=', q.entity);
      if (q.actor) query = query.where('actor', '=', q.actor);
      if (q.from) query = query.where('at', '>=', q.from);
      if (q.to) query = query.where('at', '<', q.to);
      const b = q.before;
      if (b) query = query.where((eb) => eb.or([eb('at', '<', b.at), eb.and([eb('at', '=', b.at), eb('seq', '<', b.id)])]));
      const rows = await query.orderBy('at', 'desc').orderBy('seq', 'desc').limit(q.limit).execute();
      return rows.map((r) => {
        const e: AuditEntry = { id: Number(r.seq), at: r.at, actor: r.actor, entity: r.entity, action: r.action };
        if (r.entity_id !== null) e.entityId = r.entity_id;
        if (r.before !== null) e.before = fromJson(r.before);
        if (r.after !== null) e.after = fromJson(r.after);
        return e;
      });
    },

    /** Drops rows older than `cutoff` (ISO); returns how many. */
    async deleteBefore(cutoff: string): Promise<number> {
      const r = await db.deleteFrom('audit_log').where('at', '<', cutoff).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}

export type AuditSql = ReturnType<typeof createAuditSql>;
