import type { Kysely } from 'kysely';
import { fromBool, fromJson, toJson } from '../db/json.js';
import type { DB } from '../db/schema.js';
import type { FileOperation } from './organizer.fs.js';

export type RunStatus = 'queued' | 'organizing' | 'completed' | 'failed' | 'undoing' | 'undone';

export interface OrganizerRun {
  id: string;
  status: RunStatus;
  operation: FileOperation;
  dryRun: boolean;
  options: unknown;
  totalFiles: number;
  processedFiles: number;
  successCount: number;
  skipCount: number;
  errorCount: number;
  currentFile: string | null;
  errors: string[];
  createdBy: string | null;
  createdAt: string;
  finishedAt: string | null;
  undoneAt: string | null;
}

export interface JournalEntry {
  id: string;
  runId: string;
  seq: number;
  operation: FileOperation;
  source: string;
  destination: string;
  createdDirs: string[];
  removedDirs: string[];
  size: number;
  mtimeMs: number;
  status: 'applied' | 'undone' | 'undo_failed';
  error: string | null;
  appliedAt: string;
  undoneAt: string | null;
}

export type RunCounters = Pick<OrganizerRun, 'totalFiles' | 'processedFiles' | 'successCount' | 'skipCount' | 'errorCount' | 'currentFile' | 'errors'>;

type RunRow = DB['organizer_runs'] extends infer T ? { [K in keyof T]: unknown } : never;

function toRun(r: RunRow): OrganizerRun {
  return {
    id: r.id as string,
    status: r.status as RunStatus,
    operation: r.operation as FileOperation,
    dryRun: fromBool(r.dry_run as boolean | number) ?? false,
    options: fromJson(r.options),
    totalFiles: Number(r.total_files),
    processedFiles: Number(r.processed_files),
    successCount: Number(r.success_count),
    skipCount: Number(r.skip_count),
    errorCount: Number(r.error_count),
    currentFile: (r.current_file as string | null) ?? null,
    errors: fromJson<string[]>(r.errors) ?? [],
    createdBy: (r.created_by as string | null) ?? null,
    createdAt: r.created_at as string,
    finishedAt: (r.finished_at as string | null) ?? null,
    undoneAt: (r.undone_at as string | null) ?? null,
  };
}

/** Organizer runs and their journal (migration 0009), plus the path update a move makes in `media_files`. */
export function createOrganizerSql(db: Kysely<DB>) {
  return {
    async insertRun(run: {
      id: string;
      operation: FileOperation;
      dryRun: boolean;
      options: unknown;
      createdBy: string | null;
      createdAt: string;
    }): Promise<void> {
      await db
        .insertInto('organizer_runs')
        .values({
          id: run.id,
          status: 'queued',
          operation: run.operation,
          dry_run: run.dryRun,
          options: toJson(run.options),
          created_by: run.createdBy,
          created_at: run.createdAt,
          current_file: null,
          finished_at: null,
          undone_at: null,
        })
        .execute();
    },

    async getRun(id: string): Promise<OrganizerRun | undefined> {
      const r = await db.selectFrom('organizer_runs').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toRun(r) : undefined;
    },

    async latestRun(): Promise<OrganizerRun | undefined> {
      const r = await db.selectFrom('organizer_runs').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
      return r ? toRun(r) : undefined;
    },

    /** The newest runs first. */
    async listRuns(limit: number): Promise<OrganizerRun[]> {
      const rows = await db.selectFrom('organizer_runs').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map(toRun);
    },

    /** A run that is queued, organizing or undoing (at most one is allowed). */
    async activeRun(): Promise<OrganizerRun | undefined> {
      const r = await db.selectFrom('organizer_runs').selectAll().where('status', 'in', ['queued', 'organizing', 'undoing']).limit(1).executeTakeFirst();
      return r ? toRun(r) : undefined;
    },

    /** Moves a run from one status to another; false when it was not in `from` (someone else moved it). */
    async setStatus(id: string, from: readonly RunStatus[], to: RunStatus, at?: { finishedAt?: string; undoneAt?: string }): Promise<boolean> {
      let q = db.updateTable('organizer_runs').set({ status: to });
      if (at?.finishedAt !== undefined) q = q.set({ finished_at: at.finishedAt });
      if (at?.undoneAt !== undefined) q = q.set({ undone_at: at.undoneAt });
      const r = await q
        .where('id', '=', id)
        .where('status', 'in', [...from])
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async setOptions(id: string, options: unknown): Promise<void> {
      await db
        .updateTable('organizer_runs')
        .set({ options: toJson(options) })
        .where('id', '=', id)
        .execute();
    },

    async saveCounters(id: string, c: RunCounters): Promise<void> {
      await db
        .updateTable('organizer_runs')
        .set({
          total_files: c.totalFiles,
          processed_files: c.processedFiles,
          success_count: c.successCount,
          skip_count: c.skipCount,
          error_count: c.errorCount,
          current_file: c.currentFile,
          errors: toJson(c.errors),
        })
        .where('id', '=', id)
        .execute();
    },

    async addEntry(e: Omit<JournalEntry, 'status' | 'error' | 'undoneAt'>): Promise<void> {
      await db
        .insertInto('organizer_journal')
        .values({
          id: e.id,
          run_id: e.runId,
          seq: e.seq,
          operation: e.operation,
          source: e.source,
          destination: e.destination,
          created_dirs: toJson(e.createdDirs),
          removed_dirs: toJson(e.removedDirs),
          size: e.size,
          mtime_ms: e.mtimeMs,
          status: 'applied',
          error: null,
          applied_at: e.appliedAt,
          undone_at: null,
        })
        .execute();
    },

    /** A run's journal in the order it was applied. */
    async entries(runId: string): Promise<JournalEntry[]> {
      const rows = await db.selectFrom('organizer_journal').selectAll().where('run_id', '=', runId).orderBy('seq').execute();
      return rows.map((r) => ({
        id: r.id,
        runId: r.run_id,
        seq: Number(r.seq),
        operation: r.operation,
        source: r.source,
        destination: r.destination,
        createdDirs: fromJson<string[]>(r.created_dirs) ?? [],
        removedDirs: fromJson<string[]>(r.removed_dirs) ?? [],
        size: Number(r.size),
        mtimeMs: Number(r.mtime_ms),
        status: r.status,
        error: r.error,
        appliedAt: r.applied_at,
        undoneAt: r.undone_at,
      }));
    },

    async markEntry(id: string, status: 'undone' | 'undo_failed', error: string | null, at: string | null): Promise<void> {
      await db.updateTable('organizer_journal').set({ status, error, undone_at: at }).where('id', '=', id).execute();
    },

    /**
     * A moved file keeps its `media_files` row: the row follows it to `to` (under `root`). A stale
     * `missing` row already at `to` gives way; a present one there means the scan knows another
     * file at that path, and the row is left for the next scan to settle.
     */
    async moveFileRow(from: string, to: string, root: string | undefined): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('media_files').where('path', '=', to).where('status', '=', 'missing').execute();
        const clash = await trx.selectFrom('media_files').select('id').where('path', '=', to).executeTakeFirst();
        if (clash) return;
        let q = trx.updateTable('media_files').set({ path: to });
        if (root !== undefined) q = q.set({ root });
        await q.where('path', '=', from).execute();
      });
    },
  };
}
export type OrganizerSql = ReturnType<typeof createOrganizerSql>;
