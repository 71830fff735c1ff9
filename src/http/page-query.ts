/** Query-string pieces shared by the list routes (keyset pages of 1..500 rows). */
import { z } from 'zod';
import { Invalid } from '../errors.js';
import { parseInput } from './errors.js';

/** `limit`: rows per page, 1..500, 100 when absent; the message names the field. */
export const pageLimit = z.coerce
  .number({ message: 'limit must be a number' })
  .int('limit must be an integer')
  .min(1, 'limit must be 1..500')
  .max(500, 'limit must be 1..500')
  .default(100);

/** `limit` and `cursor` (the previous page's `nextCursor`, passed back as it came). */
export const pageQuery = z.object({
  limit: pageLimit,
  cursor: z.string().min(1, 'cursor must not be empty').max(2000, 'cursor is at most 2000 characters').optional(),
});
export type PageQuery = z.infer<typeof pageQuery>;

/**
 * The paging parameters of a list whose legacy answer is the whole list: undefined when the query
 * names neither `limit` nor `cursor` (then the route answers as v0.3 did), else checked (400 naming
 * the field). Other query keys are left to the route.
 */
export function pagingOf(query: unknown): PageQuery | undefined {
  const q = (query ?? {}) as Record<string, unknown>;
  if (!Object.hasOwn(q, 'limit') && !Object.hasOwn(q, 'cursor')) return undefined;
  return parseInput(pageQuery, { limit: q.limit, cursor: q.cursor });
}

/** A keyset position as an opaque cursor: base64url of its JSON, so no client builds or reads one. */
export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/**
 * The position in a cursor this server gave for `list` (checked by `is`), or a 400 naming
 * `cursor`: never a query on a made-up value.
 */
export function decodeCursor<T>(cursor: string, list: string, is: (v: unknown) => v is T): T {
  let value: unknown;
  try {
    value = /^[A-Za-z0-9_-]+$/.test(cursor) ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) : undefined;
  } catch {
    value = undefined;
  }
  if (!is(value) || encodeCursor(value) !== cursor) throw new Invalid(`cursor: not a cursor of ${list}`);
  return value;
}
