import type pg from 'pg';
import { preparedStatementName } from './compiled.js';

const WRAPPED = Symbol('mediaos.preparedStatements');

type Query = (...args: unknown[]) => unknown;

/**
 * Makes a pg client run the hot statements (those compileOnce built: the session check, pages
 * of the library, ...) as named prepared statements: PostgreSQL parses and plans each once per
 * connection, then only executes it. Every other call (other SQL, cursors, config objects)
 * passes through unchanged. Called once per new pool client.
 */
export function usePreparedStatements(client: pg.ClientBase): void {
  const target = client as unknown as { query: Query; [WRAPPED]?: true };
  if (target[WRAPPED]) return;
  const query = target.query.bind(client) as Query;
  target.query = (text: unknown, values?: unknown, callback?: unknown) => {
    const name = typeof text === 'string' && Array.isArray(values) ? preparedStatementName(text) : undefined;
    if (name === undefined) return callback === undefined ? query(text, values) : query(text, values, callback);
    return callback === undefined ? query({ name, text, values }) : query({ name, text, values }, callback);
  };
  target[WRAPPED] = true;
}
