/**
 * Domain errors. Services throw these; src/http/errors.ts maps them to the wire (status + the
 * legacy `{ok:false,error}` body). `code` is the legacy error string clients already match on
 * (`not_found`, `duplicate_id`, "Invalid credentials", ...).
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    /** Extra body fields (e.g. the password policy's `errors` and `strength`). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(code);
    this.name = new.target.name;
  }
}

export class NotFound extends AppError {
  constructor(code = 'not_found', extra?: Record<string, unknown>) {
    super(404, code, extra);
  }
}
export class Duplicate extends AppError {
  constructor(code = 'duplicate', extra?: Record<string, unknown>) {
    super(409, code, extra);
  }
}
export class Invalid extends AppError {
  constructor(code = 'invalid_request', extra?: Record<string, unknown>) {
    super(400, code, extra);
  }
}
/**
 * 400 with the legacy code `missing_params` that clients match on, plus a `message` naming the
 * fields that are missing or empty (legacy named none).
 */
export function missingParams(fields: readonly string[]): Invalid {
  const list = fields.length ? fields.join(', ') : 'parameters';
  return new Invalid('missing_params', { message: `${list} ${fields.length === 1 ? 'is' : 'are'} required (missing or empty)` });
}
export class Unauthorized extends AppError {
  constructor(code = 'Authentication required', extra?: Record<string, unknown>) {
    super(401, code, extra);
  }
}
export class Forbidden extends AppError {
  constructor(code = 'Insufficient permissions', extra?: Record<string, unknown>) {
    super(403, code, extra);
  }
}
export class TooManyRequests extends AppError {
  constructor(code = 'Too many requests', extra?: Record<string, unknown>) {
    super(429, code, extra);
  }
}
/** An outside service (download client, indexer) failed or timed out. */
export class UpstreamError extends AppError {
  constructor(code: string, extra?: Record<string, unknown>) {
    super(502, code, extra);
  }
}
/** The database or a file could not be read or written; the cause is logged, never sent. */
export class StorageError extends AppError {
  constructor(readonly causeError?: unknown) {
    super(500, 'storage_error');
  }
}
