import { randomHexId } from '../security/tokens.js';
import type { Logger } from '../storage/phased-store.js';
import type { JobQueue } from './jobs.queue.js';
import type { JobsSql } from './jobs.sql.js';
import { type JobHandlers, type JobProgress, type JobRecord, type JobStatus, PermanentJobError } from './jobs.types.js';

export interface JobWorkerOptions {
  sql: JobsSql;
  handlers: JobHandlers;
  log: Logger;
  now?: () => Date;
  /** Wakes the worker as soon as this process enqueues (otherwise it polls). */
  queue?: Pick<JobQueue, 'onEnqueue'>;
  workerId?: string;
  /** Wait between polls when idle (default 1 s). */
  pollMs?: number;
  /** Delay before retry number `attempt` (default 5 s doubling, at most 10 min). */
  backoffMs?: (attempt: number) => number;
  /** How long stop() waits for a running job (default 10 s); after that it is re-queued when its lease expires. */
  stopTimeoutMs?: number;
  /**
   * How long stop() lets a running job finish before aborting its signal (default 0: abort at
   * once). `serve` drains with MEDIAOS_SHUTDOWN_TIMEOUT_SECONDS.
   */
  drainMs?: number;
  /** Re-queue jobs left `running` by a previous process when starting (default true). */
  recoverOnStart?: boolean;
  /**
   * How long a claim holds without a heartbeat (default 60 s). A running job's heartbeat renews it
   * every third of this; a job whose lease expired (its process died) is re-queued by any worker.
   */
  leaseMs?: number;
  /** Told when a job starts, reports progress, completes or fails (the event bus, events/). */
  onEvent?: (event: JobEvent) => void;
}

export type JobEvent =
  | { type: 'job.started'; job: JobSummary }
  | { type: 'job.progress'; job: JobSummary; progress: JobProgress }
  | { type: 'job.completed'; job: JobSummary }
  | { type: 'job.failed'; job: JobSummary; error: string; willRetry: boolean; retryAt?: string };

export interface JobSummary {
  id: string;
  type: string;
  attempts: number;
  maxAttempts: number;
}

function summary(job: JobRecord): JobSummary {
  return { id: job.id, type: job.type, attempts: job.attempts, maxAttempts: job.maxAttempts };
}

export const DEFAULT_LEASE_MS = 60_000;

export interface JobOutcome {
  job: JobRecord;
  status: JobStatus;
  error?: string;
}

export interface JobWorker {
  readonly id: string;
  /** Recovers orphans (once) and starts the loop. Idempotent. */
  start(): Promise<void>;
  /** Stops claiming, aborts the running handler's signal and waits for it (bounded). */
  stop(): Promise<void>;
  /** Claims and runs one due job; undefined when none is due (tests and the loop use it). */
  runOnce(): Promise<JobOutcome | undefined>;
}

export function defaultBackoffMs(attempt: number): number {
  return Math.min(5000 * 2 ** Math.max(0, attempt - 1), 600_000);
}

function messageOf(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.length > 500 ? `${m.slice(0, 500)}…` : m;
}

/**
 * One worker runs one job at a time. Several workers (in one process or several) may share a
 * database: the claim is a single atomic statement (jobs.sql.ts) and holds a lease that the
 * worker's heartbeat renews; a job whose lease expired is re-queued by whichever worker polls next. A job is run by the handler
 * registered for its type; a throw retries with backoff until `max_attempts`, a
 * PermanentJobError (or an unknown type) fails it at once.
 */
export function createJobWorker(opts: JobWorkerOptions): JobWorker {
  const id = opts.workerId ?? `worker-${randomHexId().slice(0, 12)}`;
  const now = opts.now ?? (() => new Date());
  const pollMs = opts.pollMs ?? 1000;
  const backoff = opts.backoffMs ?? defaultBackoffMs;
  let running = false;
  let loop: Promise<void> | undefined;
  let abort = new AbortController();
  let wakeUp: (() => void) | undefined;
  let unsubscribe: (() => void) | undefined;
  let woken = false;
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  let lastSweep = 0;
  const emit = (e: JobEvent) => {
    try {
      opts.onEvent?.(e);
    } catch (err) {
      opts.log.warn({ worker: id, err: messageOf(err) }, 'job worker: an event listener threw');
    }
  };

  /** Re-queues jobs whose lease expired (at most twice per lease period, from the poll loop). */
  async function sweepExpired(force = false): Promise<void> {
    const t = now().getTime();
    if (!force && t - lastSweep < leaseMs / 2) return;
    lastSweep = t;
    const r = await opts.sql.recoverOrphans(new Date(t).toISOString(), new Date(t - leaseMs).toISOString());
    if (r.requeued + r.failed > 0) opts.log.info({ worker: id, ...r }, 'job worker: re-queued jobs whose lease expired');
  }

  /** Renews the lease every third of it while the handler runs; a lost lease aborts the run. */
  function keepLease(job: JobRecord, jobAbort: AbortController): () => void {
    const timer = setInterval(
      () => {
        opts.sql.heartbeat(job.id, id, now().toISOString()).then(
          (held) => {
            if (!held && !jobAbort.signal.aborted) {
              opts.log.warn({ worker: id, jobId: job.id, type: job.type }, 'job worker: lease lost (expired or cancelled); abandoning the run');
              jobAbort.abort(new Error('lease lost'));
            }
          },
          (err: unknown) => opts.log.warn({ worker: id, jobId: job.id, err: messageOf(err) }, 'job worker: heartbeat failed'),
        );
      },
      Math.max(10, Math.floor(leaseMs / 3)),
    );
    timer.unref();
    return () => clearInterval(timer);
  }

  async function runOnce(): Promise<JobOutcome | undefined> {
    const job = await opts.sql.claim(id, now().toISOString());
    if (!job) return undefined;
    const handler = Object.hasOwn(opts.handlers, job.type) ? opts.handlers[job.type] : undefined;
    const jobAbort = new AbortController();
    const onStop = () => jobAbort.abort(abort.signal.reason);
    abort.signal.addEventListener('abort', onStop);
    const release = keepLease(job, jobAbort);
    emit({ type: 'job.started', job: summary(job) });
    const progress = (p: JobProgress) => emit({ type: 'job.progress', job: summary(job), progress: p });
    try {
      if (!handler) throw new PermanentJobError(`no handler for job type "${job.type}"`);
      const result = await handler(job.payload, { job, signal: jobAbort.signal, progress });
      release();
      if (await opts.sql.complete(job.id, id, result, now().toISOString())) emit({ type: 'job.completed', job: summary(job) });
      else opts.log.warn({ worker: id, jobId: job.id, type: job.type }, 'job worker: finished a job it no longer held; result dropped');
      return { job, status: 'completed' };
    } catch (err) {
      release();
      const error = messageOf(err);
      const permanent = err instanceof PermanentJobError;
      const retry = !permanent && job.attempts < job.maxAttempts;
      const at = now();
      const retryAt = retry ? new Date(at.getTime() + backoff(job.attempts)).toISOString() : undefined;
      if (await opts.sql.fail(job.id, id, error, at.toISOString(), retryAt)) emit({ type: 'job.failed', job: summary(job), error, willRetry: retry, retryAt });
      opts.log.warn(
        { jobId: job.id, type: job.type, attempt: job.attempts, maxAttempts: job.maxAttempts, retryAt, err: error },
        retry ? 'job failed; will retry' : 'job failed',
      );
      return { job, status: retry ? 'queued' : 'failed', error };
    } finally {
      abort.signal.removeEventListener('abort', onStop);
    }
  }

  function sleep(ms: number): Promise<void> {
    if (woken) {
      woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        woken = false;
        resolve();
      }
      wakeUp = done;
    });
  }

  async function runLoop(): Promise<void> {
    while (running) {
      let outcome: JobOutcome | undefined;
      try {
        await sweepExpired();
        outcome = await runOnce();
      } catch (err) {
        // The database is unreachable or busy: log and try again after a poll interval.
        opts.log.error({ worker: id, err: messageOf(err) }, 'job worker: claim or bookkeeping failed');
      }
      if (!running) break;
      if (!outcome) await sleep(pollMs);
    }
  }

  return {
    id,
    async start() {
      if (running) return;
      if (opts.recoverOnStart !== false) {
        try {
          // Only expired leases: a job another live process is running keeps its heartbeat fresh.
          await sweepExpired(true);
        } catch (err) {
          // The database is unreachable at boot: serve anyway; orphans wait for the next start.
          opts.log.error({ worker: id, err: messageOf(err) }, 'job worker: could not recover orphaned jobs');
        }
      }
      running = true;
      abort = new AbortController();
      unsubscribe = opts.queue?.onEnqueue(() => {
        if (wakeUp) wakeUp();
        else woken = true;
      });
      loop = runLoop();
    },
    async stop() {
      if (!running) return;
      running = false;
      unsubscribe?.();
      wakeUp?.();
      const within = async (ms: number) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, ms);
        });
        await Promise.race([loop, timeout]);
        clearTimeout(timer);
      };
      // No new claims from here; a running job may finish within the drain time, then it is told to stop.
      if (opts.drainMs) await within(opts.drainMs);
      abort.abort();
      await within(opts.stopTimeoutMs ?? 10_000);
    },
    runOnce,
  };
}
