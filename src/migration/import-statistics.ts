/**
 * PostgreSQL after an import has committed: `VACUUM (ANALYZE)` of the tables a legacy directory
 * fills. Rows loaded by COPY have no planner statistics and no visibility map until autovacuum
 * gets to them (a minute at best, never where it is off), so meanwhile the library's total is a
 * heap scan of every page (1M items: 661 ms against 174 ms as an index-only scan) and plans are
 * guessed. 1.3 s at 1M. SQLite needs nothing here (its housekeeping runs `PRAGMA optimize`).
 *
 * The import's data is committed before this runs: a failure here (cancelled, no permission)
 * is reported and changes nothing, and autovacuum does the same work later.
 */
import { sql } from 'kysely';
import type { Database } from '../db/connect.js';

/** The tables a legacy directory fills in bulk. */
export const BULK_TABLES = ['library_items', 'wanted_items', 'grabs', 'verify_results'] as const;

export interface StatisticsResult {
  ok: boolean;
  ms: number;
  /** Why it failed (the import's rows are committed either way). */
  error?: string;
}

/** Undefined on SQLite. VACUUM cannot run inside a transaction: `db` must be the pool. */
export async function refreshStatistics(db: Database): Promise<StatisticsResult | undefined> {
  if (db.engine !== 'postgres') return undefined;
  const started = performance.now();
  try {
    await sql.raw(`VACUUM (ANALYZE) ${BULK_TABLES.join(', ')}`).execute(db.kysely);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (err) {
    return { ok: false, ms: Math.round(performance.now() - started), error: err instanceof Error ? err.message : String(err) };
  }
}
