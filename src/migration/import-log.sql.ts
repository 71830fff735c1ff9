/** The import's own records: quarantined entries (import_quarantine) and runs (import_runs). */
import type { AnyDb, BatchWriter, Row } from './import-batch.sql.js';
import { BATCH_ROWS } from './import-batch.sql.js';

export function createImportLogSql(db: AnyDb, batch: BatchWriter) {
  return {
    async selectQuarantine(
      file?: string,
    ): Promise<{ id: string; file: string; locator: string; reason: string; raw: string; raw_encoding: 'json' | 'base64'; created_at: string }[]> {
      let q = db.selectFrom('import_quarantine').select(['id', 'file', 'locator', 'reason', 'raw', 'raw_encoding', 'created_at']);
      if (file) q = q.where('file', '=', file);
      return (await q.orderBy('file').orderBy('created_at').execute()) as never;
    },

    async deleteQuarantine(ids: string[]): Promise<void> {
      for (let i = 0; i < ids.length; i += BATCH_ROWS)
        await db
          .deleteFrom('import_quarantine')
          .where('id', 'in', ids.slice(i, i + BATCH_ROWS))
          .execute();
    },

    async insertQuarantine(rows: Row[]): Promise<void> {
      await batch.insertBatched('import_quarantine', rows);
    },

    async insertRun(row: {
      id: string;
      source_dir: string;
      started_at: string;
      finished_at: string;
      status: 'completed' | 'failed';
      dry_run: boolean;
      exit_code: number;
      report: string;
    }): Promise<void> {
      await db.insertInto('import_runs').values(row).execute();
    },

    async finishRun(id: string, finishedAt: string, exitCode: number, report: string): Promise<void> {
      await db.updateTable('import_runs').set({ finished_at: finishedAt, exit_code: exitCode, report }).where('id', '=', id).execute();
    },

    async lastRuns(limit: number): Promise<Row[]> {
      return (await db
        .selectFrom('import_runs')
        .select(['id', 'source_dir', 'started_at', 'finished_at', 'status', 'exit_code'])
        .orderBy('started_at', 'desc')
        .limit(limit)
        .execute()) as Row[];
    },

    /** The report of the newest import that wrote (not a dry run), as recorded. */
    async lastReport(): Promise<{ id: string; report: string } | undefined> {
      return (await db
        .selectFrom('import_runs')
        .select(['id', 'report'])
        .where('dry_run', '=', false)
        .orderBy('started_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst()) as { id: string; report: string } | undefined;
    },
  };
}
