import { z } from 'zod';

export type VerifySeverity = 'info' | 'warn' | 'error';
export type VerifyTopSeverity = 'none' | VerifySeverity;

/** One issue of a verify result (FORMATS.md §3.10). */
export interface VerifyIssue {
  kind: string;
  severity: VerifySeverity;
  message?: string;
  [key: string]: unknown;
}

/** What a verify run answers (`result` of POST /api/verify/check and of a verify job). */
export interface VerifyOutcome {
  phase: string;
  issues: VerifyIssue[];
  analyzedAt: string;
  topSeverity: VerifyTopSeverity;
}

/**
 * One `verify-results.json` value (FORMATS.md §3.10), stored under the key `<kind>:<id>`:
 * `{phase, issues, analyzedAt, topSeverity, kind, id, title, path?}`. Free-form on disk: every
 * key is optional here and unknown keys survive.
 */
export interface VerifyResultRecord {
  phase?: string;
  issues?: unknown;
  analyzedAt?: string;
  topSeverity?: string;
  kind?: string;
  id?: string;
  title?: string;
  path?: string;
  [key: string]: unknown;
}

/** `verify.json` thresholds (FORMATS.md §3.9): a free-form object; these keys are read. */
export interface VerifySettings {
  minDurationSec?: number;
  minBitrateKbpsByHeight?: Record<string, number>;
  allowedContainers?: string[];
  [key: string]: unknown;
}

/** API job status; the `verify_jobs` row says `pending` for `queued`. */
export type VerifyJobStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface VerifyJobInput {
  phase: string;
  kind: string;
  id: string;
  title: string;
  path?: string;
}

/** The legacy job shape of GET /api/verify/jobs/:id. */
export interface VerifyJob {
  id: string;
  status: VerifyJobStatus;
  input: VerifyJobInput;
  enqueuedAt: string;
  result?: VerifyOutcome;
  error?: string;
  finishedAt?: string;
}

/** Legacy coercion: `String(v || '')` (numbers accepted, missing/empty -> ''). */
const legacyText = z.preprocess((v) => (v === undefined || v === null || v === false || v === 0 || v === '' ? '' : String(v)), z.string());

/**
 * Body of POST /api/verify/check and POST /api/verify/jobs: `{kind,id,title?,phase?="all",path?}`.
 * `kind`/`id` are checked by the service (missing -> 400 `missing_params`, the legacy code).
 */
export const verifyRequestBody = z.object({
  kind: legacyText,
  id: legacyText,
  title: legacyText,
  phase: legacyText.transform((v) => v || 'all'),
  path: z.preprocess((v) => (typeof v === 'string' && v !== '' ? v : undefined), z.string().optional()),
});
export type VerifyRequest = z.infer<typeof verifyRequestBody>;

export const verifyLastQuery = z.object({ kind: legacyText, id: legacyText });
