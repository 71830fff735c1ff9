/**
 * THE mappings of the verify domain (sql store, importer, exporter):
 *
 * `verify-results.json` value <-> `verify_results` row. The key `<kind>:<id>` is kept verbatim
 * and split on the FIRST ':' into `kind`/`item_id` (a key without ':' has `item_id` ''). Known
 * keys go to columns when they fit: `title`, `phase`, `topSeverity`, `analyzedAt`, `path` when
 * strings, `issues` when not null. The record's own `kind`/`id` are dropped when they equal the
 * key's parts (what legacy always writes) and kept in `extra` otherwise. Every other key, and a
 * known key whose value does not fit its column, goes to `extra`.
 * `verifyResultFromRow(verifyResultToRow(k, r))` deep-equals `r` for every record
 * `legacyVerifyResultSchema` accepts. `library_item_id` is left NULL here: linking needs the
 * library table (the sql store links it in the same statement).
 *
 * `verify_jobs` rows <-> the legacy job shape (jobs were in memory in legacy: nothing to import).
 */
import type { Insertable, Selectable } from 'kysely';
import { z } from 'zod';
import type { VerifyJobsTable, VerifyResultsTable } from '../db/schema.js';
import type { VerifyJob, VerifyJobStatus, VerifyOutcome, VerifyResultRecord } from './verify.types.js';

/** One legacy verify result as found on disk: an object; unknown keys survive. */
export const legacyVerifyResultSchema = z.looseObject({}) as z.ZodType<VerifyResultRecord>;

/** `verify-results.json` top level: an object keyed `<kind>:<id>`. */
export const legacyVerifyResultsFileSchema = z.record(z.string(), legacyVerifyResultSchema);

export type VerifyResultRow = Pick<
  Selectable<VerifyResultsTable>,
  'key' | 'kind' | 'item_id' | 'title' | 'phase' | 'top_severity' | 'analyzed_at' | 'path' | 'issues' | 'extra'
>;
export const VERIFY_RESULT_COLUMNS = ['key', 'kind', 'item_id', 'title', 'phase', 'top_severity', 'analyzed_at', 'path', 'issues', 'extra'] as const;

type Sealer = { seal(s: string): string };
type Opener = { open(s: string): string };

/** `<kind>:<id>` split on the first ':' (ids may contain ':'; kinds never do in legacy data). */
export function splitVerifyKey(key: string): { kind: string; itemId: string } {
  const i = key.indexOf(':');
  return i < 0 ? { kind: key, itemId: '' } : { kind: key.slice(0, i), itemId: key.slice(i + 1) };
}

export function verifyKey(kind: string, id: string): string {
  return `${kind}:${id}`;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

const STRING_COLUMNS: Record<string, 'title' | 'phase' | 'top_severity' | 'analyzed_at' | 'path'> = {
  title: 'title',
  phase: 'phase',
  topSeverity: 'top_severity',
  analyzedAt: 'analyzed_at',
  path: 'path',
};

/** `position` = the key's index in the legacy file (its order). */
export function verifyResultToRow(key: string, record: VerifyResultRecord, _secrets?: Sealer, position = 0): Insertable<VerifyResultsTable> {
  const { kind, itemId } = splitVerifyKey(key);
  const row: Insertable<VerifyResultsTable> = {
    key,
    kind,
    item_id: itemId,
    library_item_id: null,
    title: null,
    phase: null,
    top_severity: null,
    analyzed_at: null,
    path: null,
    issues: null,
    position,
    extra: null,
  };
  const extra: Record<string, unknown> = {};
  let hasExtra = false;
  const keep = (k: string, v: unknown) => {
    setOwn(extra, k, v);
    hasExtra = true;
  };
  for (const k of Object.keys(record)) {
    const v = record[k];
    if (v === undefined) continue;
    const column = Object.hasOwn(STRING_COLUMNS, k) ? STRING_COLUMNS[k] : undefined;
    if (column && typeof v === 'string') row[column] = v;
    else if (k === 'issues' && v !== null) row.issues = JSON.stringify(v);
    else if (k === 'kind' && v === kind) continue;
    else if (k === 'id' && v === itemId) continue;
    else keep(k, v);
  }
  // kind/id absent from the record although the key implies them: remember it (hand-edited files).
  const absent = ['kind', 'id'].filter((k) => !Object.hasOwn(record, k) || record[k] === undefined);
  if (absent.length > 0) keep(ABSENT_KEY, absent);
  if (hasExtra) row.extra = JSON.stringify(extra);
  return row;
}

/** `extra` key listing `kind`/`id` keys the legacy record did not have (never written by legacy). */
export const ABSENT_KEY = '$mediaos.absent';

// Key order: what legacy writes ({...result, kind, id, title, path?}), then the other keys.
export function verifyResultFromRow(row: VerifyResultRow, _secrets?: Opener): VerifyResultRecord {
  const record: VerifyResultRecord = {};
  if (row.phase !== null) record.phase = row.phase;
  if (row.issues !== null) record.issues = JSON.parse(row.issues);
  if (row.analyzed_at !== null) record.analyzedAt = row.analyzed_at;
  if (row.top_severity !== null) record.topSeverity = row.top_severity;
  record.kind = row.kind;
  record.id = row.item_id;
  if (row.title !== null) record.title = row.title;
  if (row.path !== null) record.path = row.path;
  if (row.extra !== null) {
    const extra = JSON.parse(row.extra) as Record<string, unknown>;
    const absent = Array.isArray(extra[ABSENT_KEY]) ? (extra[ABSENT_KEY] as string[]) : [];
    for (const k of absent) delete record[k];
    for (const k of Object.keys(extra)) if (k !== ABSENT_KEY) setOwn(record, k, extra[k]);
  }
  return record;
}

// ---- verify jobs ----

export type VerifyJobRow = Pick<
  Selectable<VerifyJobsTable>,
  'id' | 'item_id' | 'kind' | 'title' | 'phase' | 'status' | 'path' | 'result' | 'error' | 'started_at' | 'completed_at' | 'created_at'
>;
export const VERIFY_JOB_COLUMNS = [
  'id',
  'item_id',
  'kind',
  'title',
  'phase',
  'status',
  'path',
  'result',
  'error',
  'started_at',
  'completed_at',
  'created_at',
] as const;

const ROW_STATUS: Record<VerifyJobStatus, 'pending' | 'running' | 'completed' | 'failed'> = {
  queued: 'pending',
  running: 'running',
  completed: 'completed',
  failed: 'failed',
};

export function verifyJobStatusToRow(status: VerifyJobStatus): 'pending' | 'running' | 'completed' | 'failed' {
  return ROW_STATUS[status];
}

export function verifyJobToRow(job: VerifyJob): Insertable<VerifyJobsTable> {
  return {
    id: job.id,
    library_item_id: null,
    item_id: job.input.id,
    kind: job.input.kind,
    title: job.input.title,
    phase: job.input.phase,
    status: verifyJobStatusToRow(job.status),
    path: job.input.path ?? null,
    result: job.result === undefined ? null : JSON.stringify(job.result),
    error: job.error ?? null,
    started_at: null,
    completed_at: job.finishedAt ?? null,
    created_at: job.enqueuedAt,
  };
}

/** Row -> `{id,status,input:{phase,kind,id,title,path?},enqueuedAt,result?,error?,finishedAt?}`. */
export function verifyJobFromRow(row: VerifyJobRow): VerifyJob {
  const input: VerifyJob['input'] = { phase: row.phase, kind: row.kind, id: row.item_id, title: row.title };
  if (row.path !== null) input.path = row.path;
  const job: VerifyJob = {
    id: row.id,
    status: row.status === 'pending' ? 'queued' : row.status,
    input,
    enqueuedAt: row.created_at,
  };
  if (row.result !== null) job.result = JSON.parse(row.result) as VerifyOutcome;
  if (row.error !== null) job.error = row.error;
  if (row.completed_at !== null) job.finishedAt = row.completed_at;
  return job;
}
