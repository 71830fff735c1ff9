/** One job of the database-backed queue (`jobs` table). Times are ISO-8601 UTC with ms. */
export type JobStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface JobRecord {
  id: string;
  type: string;
  payload: unknown;
  status: JobStatus;
  /** Runs started so far (a claim counts one). */
  attempts: number;
  maxAttempts: number;
  runAt: string;
  lockedBy?: string;
  lockedAt?: string;
  result?: unknown;
  error?: string;
  createdAt: string;
  updatedAt: string;
}

/** What enqueue writes; ids and times come from the caller (the queue), never from SQL. */
export interface NewJob {
  id: string;
  type: string;
  payload: unknown;
  maxAttempts: number;
  runAt: string;
  createdAt: string;
}

export interface EnqueueOptions {
  /** Not before this time (default: now). */
  runAt?: Date;
  /** Total runs allowed, retries included (default 3). */
  maxAttempts?: number;
}

/** What a handler receives besides the payload. */
export interface JobRunContext {
  job: JobRecord;
  /**
   * Aborted when the worker stops or the job's lease was lost (expired or cancelled); long
   * handlers should give up (a stopped worker's job is re-queued when its lease expires).
   */
  signal: AbortSignal;
  /** Reports progress to live listeners (GET /api/events); not stored. */
  progress?(p: JobProgress): void;
}

export interface JobProgress {
  /** 0..100 when known. */
  percent?: number;
  message?: string;
}

export type JobHandler = (payload: unknown, run: JobRunContext) => Promise<unknown>;

/** The one table of handlers, by job type. */
export type JobHandlers = Readonly<Record<string, JobHandler>>;

/** Thrown by a handler for a failure that retrying cannot fix: the job fails at once. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}
