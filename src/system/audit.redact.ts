/** Redaction of secrets in audited state: any key naming a password, key, token, secret or hash. */

export const REDACTED = '[redacted]';

const SECRET_KEY = /pass(word)?|api_?key|token|secret|hash|credential|cookie|authorization/i;

/**
 * A deep copy with every secret-named member's value replaced by "[redacted]" (null and empty
 * values too, when present: the presence of a secret is fine to show, its value never is).
 * Strings that are not under a secret key pass as they are.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 32) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    const secret = SECRET_KEY.test(k) && !/^has[A-Z]/.test(k);
    Object.defineProperty(out, k, { value: secret ? REDACTED : redactSecrets(v, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
