import type { DatabaseTarget } from './connect.js';

const UNREACHABLE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * A PostgreSQL server that cannot be reached, said with what to fix: the host and port from
 * DATABASE_URL (never the user or password) and the variable's name. Other errors pass unchanged.
 */
export function describeConnectError(target: DatabaseTarget, err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (target.engine !== 'postgres' || typeof code !== 'string' || !UNREACHABLE.has(code)) return err;
  let host = 'the host';
  try {
    const u = new URL(target.location);
    host = `${u.hostname}:${u.port || '5432'}`;
  } catch {
    /* an unparsable URL names no host */
  }
  const what = code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'host name not found' : code === 'ECONNREFUSED' ? 'connection refused' : 'no answer';
  return new Error(`cannot reach the PostgreSQL server ${host} from DATABASE_URL (${code}: ${what}); check DATABASE_URL`, { cause: err });
}
