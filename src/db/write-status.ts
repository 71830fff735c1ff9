// Recent outcome of database writes, for /api/health: a full disk or a read-only database makes
// every write fail while reads (and a health check that only reads) still succeed. Fed by
// Kysely's log hook, so every statement counts, whoever runs it. Constraint violations are
// answers (409 duplicate), not failures, and are not counted.
import type { LogEvent } from 'kysely';

export interface WriteFailure {
  at: string;
  /** Error code and the driver's first line, cut short; never parameters or row values. */
  reason: string;
}

export interface WriteStatus {
  failures: number;
  lastFailure?: WriteFailure;
  lastSuccessAt?: string;
}

const WRITE_SQL = /^\s*(insert|update|delete|replace|create|alter|drop|commit)\b/i;

function isConstraintViolation(err: { code?: unknown }): boolean {
  const code = typeof err.code === 'string' ? err.code : '';
  return code.startsWith('SQLITE_CONSTRAINT') || /^23\d{3}$/.test(code);
}

export function describeWriteError(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : 'error';
  const first = String(e?.message ?? err).split('\n')[0]!;
  return `${code}: ${first.length > 160 ? `${first.slice(0, 157)}...` : first}`;
}

export function createWriteTracker(now: () => Date = () => new Date()) {
  const status: WriteStatus = { failures: 0 };
  return {
    observe(event: LogEvent): void {
      if (!WRITE_SQL.test(event.query.sql)) return;
      if (event.level === 'query') {
        status.lastSuccessAt = now().toISOString();
      } else if (!isConstraintViolation(event.error as { code?: unknown })) {
        status.failures += 1;
        status.lastFailure = { at: now().toISOString(), reason: describeWriteError(event.error) };
      }
    },
    status: (): WriteStatus => ({ ...status }),
  };
}
