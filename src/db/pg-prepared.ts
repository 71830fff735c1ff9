import type pg from 'pg';
import { preparedStatementName } from './compiled.js';

const WRAPPED = Symbol('mediaos.preparedStatements');

type Query = (...args: unknown[]) => unknown;

/**
 * Makes a pg client run the hot statements (those compileOnce built: the session check, pages
 * of the library, ...) as named prepared statements: PostgreSQL parses and plans each once per
 * connection, then only executes it, whether it comes as text and values or as a config object
 * (runOnPool's `{ text, values, rowMode }`). Every other call (other SQL, cursors, named configs)
 * passes through unchanged. Called once per new pool client.
 */
export function usePreparedStatements(client: pg.ClientBase): void {
  const target = client as unknown as { query: Query; [WRAPPED]?: true };
  if (target[WRAPPED]) return;
  const query = target.query.bind(client) as Query;
  target.query = (text: unknown, values?: unknown, callback?: unknown) => {
    if (isPlainConfig(text)) {
      // runOnPool's form: `{ text, values, rowMode }`.
      const name = typeof text.text === 'string' && text.name === undefined ? preparedStatementName(text.text) : undefined;
      if (name !== undefined) return query({ ...text, name }, values, callback);
    }
    const name = typeof text === 'string' && Array.isArray(values) ? preparedStatementName(text) : undefined;
    if (name === undefined) return callback === undefined ? query(text, values) : query(text, values, callback);
    return callback === undefined ? query({ name, text, values }) : query({ name, text, values }, callback);
  };
  target[WRAPPED] = true;
}

/** A query config object (not a submittable such as a cursor, which must keep its prototype). */
function isPlainConfig(v: unknown): v is { text?: unknown; name?: unknown } {
  return typeof v === 'object' && v !== null && typeof (v as { submit?: unknown }).submit !== 'function';
}
