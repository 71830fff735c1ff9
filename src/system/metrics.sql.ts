import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

/** The reads behind /metrics that no store offers. */
export function createMetricsSql(db: Kysely<DB>) {
  return {
    /** The newest import run (the import status gauge). */
    async latestImport(): Promise<{ status: string; startedAt: string; finishedAt: string | null } | undefined> {
      const r = await db
        .selectFrom('import_runs')
        .select(['status', 'started_at', 'finished_at'])
        .orderBy('started_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return r ? { status: r.status, startedAt: r.started_at, finishedAt: r.finished_at } : undefined;
    },
  };
}
