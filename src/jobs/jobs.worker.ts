import { randomHexId } from '../security/tokens.js';
import type { Logger } from '../storage/phased-store.js';
import type { JobQueue } from './jobs.queue.js';
import type { JobsSql } from './jobs.sql.js';
import { PermanentJobError, type JobHandlers, type JobRecord, type JobStatus } from './jobs.types.js';

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
  /** How long stop() waits for a running job (default 10 s); after that it is re-queued on next boot. */
  stopTimeoutMs?: number;
  /** Re-queue jobs left `running` by a previous process when starting (default true). */
  recoverOnStart?: boolean;
}

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
 * database: the claim is a single atomic statement (jobs.sql.ts). A job is run by the handler
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

  async function runOnce(): Promise<JobOutcome | undefined> {
    const job = await opts.sql.claim(id, now().toISOString());
    if (!job) return undefined;
    const handler = Object.prototype.hasOwnProperty.call(opts.handlers, job.type) ? opts.handlers[job.type] : undefined;
    try {
      if (!handler) throw new PermanentJobError(`no handler for job type "${job.type}"`);
      const result = await handler(job.payload, { job, signal: abort.signal });
      await opts.sql.complete(job.id, id, result, now().toISOString());
      return { job, status: 'completed' };
    } catch (err) {
      const error = messageOf(err);
      const permanent = err instanceof PermanentJobError;
      const retry = !permanent && job.attempts < job.maxAttempts;
      const at = now();
      const retryAt = retry ? new Date(at.getTime() + backoff(job.attempts)).toISOString() : undefined;
      await opts.sql.fail(job.id, id, error, at.toISOString(), retryAt);
      opts.log.warn({ jobId: job.id, type: job.type, attempt: job.attempts, maxAttempts: job.maxAttempts, retryAt, err: error }, retry ? 'job failed; will retry' : 'job failed');
      return { job, status: retry ? 'queued' : 'failed', error };
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
        const at = now().toISOString();
        try {
          const r = await opts.sql.recoverOrphans(at, at);
          if (r.requeued + r.failed > 0) opts.log.info({ worker: id, ...r }, 'job worker: recovered jobs left running by a previous process');
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
      abort.abort();
      wakeUp?.();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, opts.stopTimeoutMs ?? 10_000);
      });
      await Promise.race([loop, timeout]);
      clearTimeout(timer);
    },
    runOnce,
  };
}
