import { phasedStore } from '../storage/phased-store.js';
import type { StoreContext } from '../storage/store-context.js';
import { createVerifyJson } from './verify.json.js';
import { createVerifyJobsSql, createVerifySql } from './verify.sql.js';
import type { VerifyJob, VerifyOutcome, VerifyResultRecord } from './verify.types.js';

/** Last verify result per `<kind>:<id>` key (legacy `verify-results.json`). */
export interface VerifyStore {
  getResult(key: string): Promise<VerifyResultRecord | undefined>;
  putResult(key: string, record: VerifyResultRecord): Promise<void>;
  listResults(): Promise<[string, VerifyResultRecord][]>;
}

export function createVerifyStore(ctx: StoreContext): VerifyStore {
  return phasedStore<VerifyStore>({
    name: 'verify',
    phase: ctx.phase,
    sql: createVerifySql(ctx.db.kysely),
    json: createVerifyJson({ configDir: ctx.configDir }),
    writes: ['putResult'],
    fileSync: ctx.fileSync,
    log: ctx.log,
  });
}

/**
 * Verify jobs live in the database in every phase (legacy kept them in memory only, so there is
 * no file to keep in step).
 */
export interface VerifyJobsStore {
  insert(job: VerifyJob): Promise<void>;
  get(id: string): Promise<VerifyJob | undefined>;
  markRunning(id: string, at: string): Promise<void>;
  markQueued(id: string, error: string): Promise<void>;
  markCompleted(id: string, result: VerifyOutcome, at: string): Promise<void>;
  markFailed(id: string, error: string, at: string): Promise<void>;
}

export function createVerifyJobsStore(ctx: StoreContext): VerifyJobsStore {
  return createVerifyJobsSql(ctx.db.kysely);
}
