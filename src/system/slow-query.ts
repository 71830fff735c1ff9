import type { LogEvent } from 'kysely';
import type { Logger } from '../storage/phased-store.js';
import { currentRequestScope } from './request-scope.js';

const MAX_SHAPE = 500;

/**
 * A statement's shape: whitespace collapsed, string and number literals replaced by `?` (bound
 * values never appear: Kysely sends them as parameters), cut at 500 characters.
 */
export function statementShape(sqlText: string): string {
  const shape = sqlText
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\b\d+(?:\.\d+)?\b/g, '?')
    .replace(/\s+/g, ' ')
    .trim();
  return shape.length > MAX_SHAPE ? `${shape.slice(0, MAX_SHAPE)}…` : shape;
}

/**
 * The slow-query log: one `warn` line per statement that took `thresholdMs` or longer (0: every
 * statement), with its shape, duration and the route of the request it ran for (`route` is
 * absent for jobs and startup). Never the bound values: they may be passwords or tokens.
 */
export function slowQueryLogger(log: Pick<Logger, 'warn'>, thresholdMs: number): (e: LogEvent) => void {
  return (e) => {
    if (e.queryDurationMillis < thresholdMs) return;
    const scope = currentRequestScope();
    log.warn(
      {
        statement: statementShape(e.query.sql),
        durationMs: Math.round(e.queryDurationMillis * 1000) / 1000,
        ...(scope ? { route: scope.route, method: scope.method } : {}),
        ...(e.level === 'error' ? { failed: true } : {}),
      },
      'slow query',
    );
  };
}
