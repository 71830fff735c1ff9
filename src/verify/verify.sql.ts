import type { Insertable, Kysely } from 'kysely';
import type { DB, VerifyJobsTable, VerifyResultsTable } from '../db/schema.js';
import { VERIFY_JOB_COLUMNS, VERIFY_RESULT_COLUMNS, verifyJobFromRow, verifyJobToRow, verifyResultFromRow, verifyResultToRow } from './verify.codec.js';
import type { VerifyJob, VerifyOutcome, VerifyResultRecord } from './verify.types.js';

/**
 * All SQL of the verify domain: last results per `<kind>:<id>` (verify_results) and the
 * persisted verify jobs (verify_jobs). Works on a Kysely instance or a transaction.
 */
export function createVerifySql(db: Kysely<DB>) {
  return {
    async getResult(key: string): Promise<VerifyResultRecord | undefined> {
      const row = await db.selectFrom('verify_results').select(VERIFY_RESULT_COLUMNS).where('key', '=', key).executeTakeFirst();
      return row ? verifyResultFromRow(row) : undefined;
    },

    /** Upsert; a new key goes after the others (legacy object order), an existing one keeps its place. */
    async putResult(key: string, record: VerifyResultRecord): Promise<void> {
      await insertResultRows(db, [verifyResultToRow(key, record)], { appendPosition: true });
    },

    /** Every stored result in file order (exporter, dual-phase comparison). */
    async listResults(): Promise<[string, VerifyResultRecord][]> {
      const rows = await db.selectFrom('verify_results').select(VERIFY_RESULT_COLUMNS).orderBy('position').orderBy('key').execute();
      return rows.map((r) => [r.key, verifyResultFromRow(r)]);
    },
  };
}
export type VerifySql = ReturnType<typeof createVerifySql>;

/**
 * Inserts or replaces result rows (the importer calls this with codec rows and their file
 * positions), linking `library_item_id` to the library item whose id is the key's item id, when
 * one exists. `appendPosition`: ignore the row's position and put a new key last.
 */
export async function insertResultRows(db: Kysely<DB>, rows: Insertable<VerifyResultsTable>[], opts: { appendPosition?: boolean } = {}): Promise<void> {
  for (const row of rows) {
    await db
      .insertInto('verify_results')
      .values((eb) => ({
        ...row,
        library_item_id: eb.selectFrom('library_items').select('id').where('id', '=', row.item_id),
        position: opts.appendPosition
          ? eb.selectFrom('verify_results').select(eb.fn.coalesce(eb(eb.fn.max('position'), '+', 1), eb.lit(0)).as('p'))
          : row.position,
      }))
      .onConflict((oc) =>
        oc.column('key').doUpdateSet((eb) => ({
          library_item_id: eb.ref('excluded.library_item_id'),
          title: eb.ref('excluded.title'),
          phase: eb.ref('excluded.phase'),
          top_severity: eb.ref('excluded.top_severity'),
          analyzed_at: eb.ref('excluded.analyzed_at'),
          path: eb.ref('excluded.path'),
          issues: eb.ref('excluded.issues'),
          extra: eb.ref('excluded.extra'),
        })),
      )
      .execute();
  }
}

/** Persisted verify jobs (legacy kept them in memory). Status `queued` is the row status `pending`. */
export function createVerifyJobsSql(db: Kysely<DB>) {
  return {
    async insert(job: VerifyJob): Promise<void> {
      const row: Insertable<VerifyJobsTable> = verifyJobToRow(job);
      await db
        .insertInto('verify_jobs')
        .values((eb) => ({ ...row, library_item_id: eb.selectFrom('library_items').select('id').where('id', '=', row.item_id) }))
        .execute();
    },

    async get(id: string): Promise<VerifyJob | undefined> {
      const row = await db.selectFrom('verify_jobs').select(VERIFY_JOB_COLUMNS).where('id', '=', id).executeTakeFirst();
      return row ? verifyJobFromRow(row) : undefined;
    },

    async markRunning(id: string, at: string): Promise<void> {
      await db.updateTable('verify_jobs').set({ status: 'running', started_at: at, error: null }).where('id', '=', id).execute();
    },

    /** Back to `queued` while the queue retries it. */
    async markQueued(id: string, error: string): Promise<void> {
      await db.updateTable('verify_jobs').set({ status: 'pending', error }).where('id', '=', id).execute();
    },

    async markCompleted(id: string, result: VerifyOutcome, at: string): Promise<void> {
      await db
        .updateTable('verify_jobs')
        .set({ status: 'completed', result: JSON.stringify(result), error: null, completed_at: at })
        .where('id', '=', id)
        .execute();
    },

    async markFailed(id: string, error: string, at: string): Promise<void> {
      await db.updateTable('verify_jobs').set({ status: 'failed', error, completed_at: at }).where('id', '=', id).execute();
    },
  };
}
export type VerifyJobsSql = ReturnType<typeof createVerifyJobsSql>;
