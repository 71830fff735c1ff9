import { type CompiledQuery, sql } from 'kysely';
import type { Database } from '../../src/db/connect.js';

/** PostgreSQL planner switches turned off while explaining (e.g. `enable_seqscan`), so a plan that must read a whole table shows. */
export type PlannerOff = 'enable_seqscan' | 'enable_bitmapscan' | 'enable_sort';

/**
 * The plan of one compiled statement, one line per step (SQLite: `explain query plan` details;
 * PostgreSQL: `explain` lines). PostgreSQL explains inside a transaction that is rolled back, so
 * the switches in `off` stay local and a write's plan is read without its effect.
 */
export async function explainPlan(db: Database, q: CompiledQuery, off: PlannerOff[] = ['enable_seqscan']): Promise<string[]> {
  if (db.engine === 'sqlite') {
    const params = q.parameters.map((v) => (typeof v === 'boolean' ? Number(v) : v));
    const rows = db.sqlite!.prepare(`explain query plan ${q.sql}`).all(...params) as { detail: string }[];
    return rows.map((r) => r.detail);
  }
  return db.kysely
    .transaction()
    .execute(async (trx) => {
      for (const setting of off) await sql.raw(`set local ${setting} = off`).execute(trx);
      const r = await trx.executeQuery<{ 'QUERY PLAN': string }>({ ...q, sql: `explain ${q.sql}` } as CompiledQuery<{ 'QUERY PLAN': string }>);
      throw Object.assign(new Error('rollback'), { plan: r.rows.map((x) => x['QUERY PLAN']) });
    })
    .catch((err: { plan?: string[] }) => {
      if (err.plan === undefined) throw err;
      return err.plan;
    });
}
