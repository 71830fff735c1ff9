import { randomHexId } from '../security/tokens.js';
import type { JobsSql } from './jobs.sql.js';
import type { EnqueueOptions, JobRecord } from './jobs.types.js';

export const DEFAULT_MAX_ATTEMPTS = 3;

/** The producer side of the queue: services enqueue, the worker (jobs.worker.ts) runs. */
export interface JobQueue {
  /**
   * Persists a `queued` job and wakes this process's worker; returns the job id (32 hex chars).
   * Services pass `now: ctx.now()`: the worker claims by the app clock (ctx.now), so a job stamped
   * with another clock may wait (tests freeze ctx.now).
   */
  enqueue(type: string, payload: unknown, opts?: EnqueueOptions & { now?: Date; id?: string }): Promise<string>;
  get(id: string): Promise<JobRecord | undefined>;
  /** Subscribes to "a job was enqueued here" (the worker uses it to skip its poll wait). */
  onEnqueue(listener: (job?: { id: string; type: string; runAt: string }) => void): () => void;
  /** Tells the listeners that a job is waiting (after a job was inserted some other way). */
  wake(): void;
}

export function createJobQueue(deps: { sql: JobsSql; now?: () => Date }): JobQueue {
  const listeners = new Set<(job?: { id: string; type: string; runAt: string }) => void>();
  const clock = deps.now ?? (() => new Date());
  const wake = (job?: { id: string; type: string; runAt: string }) => {
    for (const l of listeners) l(job);
  };
  return {
    async enqueue(type, payload, opts = {}) {
      const now = opts.now ?? clock();
      const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
      if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new Error('maxAttempts must be a positive integer');
      const id = opts.id ?? randomHexId();
      await deps.sql.insert({
        id,
        type,
        payload,
        maxAttempts,
        runAt: (opts.runAt ?? now).toISOString(),
        createdAt: now.toISOString(),
      });
      wake({ id, type, runAt: (opts.runAt ?? now).toISOString() });
      return id;
    },
    get: (id) => deps.sql.get(id),
    onEnqueue(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    wake: () => wake(),
  };
}
