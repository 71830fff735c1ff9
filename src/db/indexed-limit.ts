/**
 * Longest string (UTF-8 bytes) that goes into an indexed column: a PostgreSQL b-tree entry holds
 * at most 2704 bytes (less compression), so a longer id, key, email or title would fail there with
 * a 500 (and stop an import or a `db copy`). The same limit on every engine, so SQLite and
 * PostgreSQL agree: the API refuses longer values (400 naming the field) and the importer
 * quarantines records holding one. Real ids and titles are far shorter.
 */
export const MAX_INDEXED_BYTES = 2000;

/** The UTF-8 length of `value` when it is over MAX_INDEXED_BYTES, else undefined (cheap for short strings). */
export function indexedOverflow(value: string): number | undefined {
  if (value.length <= MAX_INDEXED_BYTES / 3) return undefined;
  const bytes = Buffer.byteLength(value);
  return bytes > MAX_INDEXED_BYTES ? bytes : undefined;
}

/** The 400 text for such a value (after the field name). */
export function indexedOverflowMessage(bytes: number): string {
  return `must be at most ${MAX_INDEXED_BYTES} bytes long in UTF-8 (it is ${bytes})`;
}
