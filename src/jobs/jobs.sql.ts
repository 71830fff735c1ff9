import type { Kysely, Selectable } from 'kysely';
import type { Engine } from '../db/dialect.js';
import type { DB, JobsTable } from '../db/schema.js';
import type { JobRecord, JobStatus, NewJob } from './jobs.types.js';

const COLUMNS = [
  'id',
  'type',
  'payload',
  'status',
  'attempts',
  'max_attempts',
  'run_at',
  'locked_by',
  'locked_at',
  'result',
  'error',
  'created_at',
  'updated_at',
] as const;
type JobRow = Pick<Selectable<JobsTable>, (typeof COLUMNS)[number]>;

function toRecord(row: JobRow): JobRecord {
  const job: JobRecord = {
    id: row.id,
    type: row.type,
    payload: JSON.parse(row.payload),
    status: row.status,
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    runAt: row.run_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.locked_by !== null) job.lockedBy = row.locked_by;
  if (row.locked_at !== null) job.lockedAt = row.locked_at;
  if (row.result !== null) job.result = JSON.parse(row.result);
  if (row.error !== null) job.error = row.error;
  return job;
}

/**
 * All SQL of the job queue. Times are passed in (ISO strings compare in time order), so one
 * clock rules the queue and tests can move it.
 */
export function createJobsSql(db: Kysely<DB>, engine: Engine) {
  return {
    async insert(job: NewJob): Promise<void> {
      await db
        .insertInto('jobs')
        .values({
          id: job.id,
          type: job.type,
          payload: JSON.stringify(job.payload ?? null),
          status: 'queued',
          attempts: 0,
          max_attempts: job.maxAttempts,
          run_at: job.runAt,
          created_at: job.createdAt,
          updated_at: job.createdAt,
        })
        .execute();
    },

    async get(id: string): Promise<JobRecord | undefined> {
      const row = await db.selectFrom('jobs').select(COLUMNS).where('id', '=', id).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },

    /**
     * Claims the next due job for `workerId` in ONE statement, so two workers never get the same
     * job: the sub-select picks the oldest due `queued` row and the UPDATE re-checks `queued`.
     * SQLite runs the statement as one write transaction (writers are serialised); on PostgreSQL
     * the sub-select locks its row FOR UPDATE SKIP LOCKED, so concurrent claimers take the next
     * row instead of queueing behind each other.
     */
    async claim(workerId: string, now: string): Promise<JobRecord | undefined> {
      const next = db
        .selectFrom('jobs')
        .select('id')
        .where('status', '=', 'queued')
        .where('run_at', '<=', now)
        .orderBy('run_at')
        .orderBy('created_at')
        .orderBy('id')
        .limit(1)
        .$if(engine === 'postgres', (q) => q.forUpdate().skipLocked());
      const row = await db
        .updateTable('jobs')
        .set((eb) => ({ status: 'running', locked_by: workerId, locked_at: now, attempts: eb('attempts', '+', 1), updated_at: now }))
        .where('id', '=', next)
        .where('status', '=', 'queued')
        .returning(COLUMNS)
        .executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },

    /**
     * The lease heartbeat: stamps `locked_at` while this worker still holds the job. false when the
     * lease was lost (it expired and the job was re-queued or taken, or it was cancelled): the
     * worker then abandons the run.
     */
    async heartbeat(id: string, workerId: string, now: string): Promise<boolean> {
      const r = await db
        .updateTable('jobs')
        .set({ locked_at: now })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .where('locked_by', '=', workerId)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    /** Newest first; `status` and `type` narrow. */
    async list(opts: { status?: JobStatus; type?: string; limit: number }): Promise<JobRecord[]> {
      const rows = await db
        .selectFrom('jobs')
        .select(COLUMNS)
        .$if(opts.status !== undefined, (q) => q.where('status', '=', opts.status as JobStatus))
        .$if(opts.type !== undefined, (q) => q.where('type', '=', opts.type as string))
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(opts.limit)
        .execute();
      return rows.map(toRecord);
    },

    /** A `failed` (dead) job back to `queued` with a fresh set of attempts; its last error is kept until it runs. */
    async retry(id: string, now: string): Promise<boolean> {
      const r = await db
        .updateTable('jobs')
        .set({ status: 'queued', attempts: 0, run_at: now, locked_by: null, locked_at: null, updated_at: now })
        .where('id', '=', id)
        .where('status', '=', 'failed')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    /**
     * A `queued` or `running` job becomes `failed` with `error` (the reason it was cancelled). A
     * running worker notices at its next heartbeat and abandons the run; its completion is refused.
     */
    async cancel(id: string, error: string, now: string): Promise<boolean> {
      const r = await db
        .updateTable('jobs')
        .set({ status: 'failed', error, locked_by: null, locked_at: null, updated_at: now })
        .where('id', '=', id)
        .where('status', 'in', ['queued', 'running'])
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    /** false when the job is no longer this worker's (it was re-queued meanwhile). */
    async complete(id: string, workerId: string, result: unknown, now: string): Promise<boolean> {
      const r = await db
        .updateTable('jobs')
        .set({
          status: 'completed',
          result: result === undefined ? null : JSON.stringify(result),
          error: null,
          locked_by: null,
          locked_at: null,
          updated_at: now,
        })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .where('locked_by', '=', workerId)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    /** `retryAt` given: back to `queued` for then; otherwise `failed` for good. */
    async fail(id: string, workerId: string, error: string, now: string, retryAt?: string): Promise<boolean> {
      const r = await db
        .updateTable('jobs')
        .set(
          retryAt
            ? { status: 'queued', run_at: retryAt, error, locked_by: null, locked_at: null, updated_at: now }
            : { status: 'failed', error, locked_by: null, locked_at: null, updated_at: now },
        )
        .where('id', '=', id)
        .where('status', '=', 'running')
        .where('locked_by', '=', workerId)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    /**
     * Jobs whose lease expired (`running`, last heartbeat before `lockedBefore`: their process died
     * or hung): back to `queued` when attempts remain, otherwise `failed` (a job that kills its
     * worker must not loop forever). Every worker calls this as it polls, so any live process
     * picks up a dead one's jobs; a live process's jobs keep their heartbeat fresh and are left alone.
     */
    async recoverOrphans(now: string, lockedBefore: string): Promise<{ requeued: number; failed: number }> {
      const orphans = () =>
        db
          .updateTable('jobs')
          .where('status', '=', 'running')
          .where((eb) => eb.or([eb('locked_at', 'is', null), eb('locked_at', '<', lockedBefore)]));
      const failed = await orphans()
        .set({
          status: 'failed',
          error: 'interrupted: the lease expired while the job ran (its process stopped or hung), no attempts left',
          locked_by: null,
          locked_at: null,
          updated_at: now,
        })
        .where((eb) => eb('attempts', '>=', eb.ref('max_attempts')))
        .executeTakeFirst();
      const requeued = await orphans().set({ status: 'queued', run_at: now, locked_by: null, locked_at: null, updated_at: now }).executeTakeFirst();
      return { requeued: Number(requeued.numUpdatedRows), failed: Number(failed.numUpdatedRows) };
    },

    /** Jobs by status, of one `type` when given. */
    async countByStatus(type?: string): Promise<Record<JobStatus, number>> {
      const rows = await db
        .selectFrom('jobs')
        .select((eb) => ['status', eb.fn.countAll().as('n')])
        .$if(type !== undefined, (q) => q.where('type', '=', type as string))
        .groupBy('status')
        .execute();
      const out: Record<JobStatus, number> = { queued: 0, running: 0, completed: 0, failed: 0 };
      for (const r of rows) out[r.status] = Number(r.n);
      return out;
    },

    /** Finished (completed or failed) jobs of one type, removed; their count. */
    async deleteFinishedOfType(type: string): Promise<number> {
      const r = await db.deleteFrom('jobs').where('status', 'in', ['completed', 'failed']).where('type', '=', type).executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    /** Housekeeping: finished jobs last touched before `cutoff`. */
    async deleteFinishedBefore(cutoff: string): Promise<number> {
      const r = await db.deleteFrom('jobs').where('status', 'in', ['completed', 'failed']).where('updated_at', '<', cutoff).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
export type JobsSql = ReturnType<typeof createJobsSql>;
