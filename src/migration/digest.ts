/**
 * An order-independent digest of a set of records: the sum, word by word, of each record's SHA-1.
 * The import adds what it writes and compares that with the sum over the rows read back, so a
 * million items are checked with one sequential scan instead of a million lookups. Any difference
 * falls back to the record-by-record comparison, which names the record: never a false "equal".
 * Two kinds, never mixed:
 * - `records`: each record's JSON text as the codec rebuilds it from its row (PostgreSQL, whose
 *   driver gives values back in other types: bigint as text, jsonb as objects);
 * - `rows`: each row's data column values as written (SQLite gives back exactly what it was
 *   given): half the cost, with no record to rebuild and stringify per row on either side. (A
 *   difference only in a derived column, such as search_text, makes the sums differ; the
 *   record-by-record comparison that follows then finds every record intact.)
 */
import { hash } from 'node:crypto';

/**
 * The column values `values[at .. at + count)` as one unambiguous text: a string is its length
 * and itself, a number `#` and its digits, null `\0`, anything else `?` and its JSON.
 */
export function rowText(values: ArrayLike<unknown>, at: number, count: number): string {
  let s = '';
  for (let k = at; k < at + count; k++) {
    const v = values[k];
    if (typeof v === 'string') s += `${v.length}:${v}`;
    else if (v === null || v === undefined) s += '\u0000';
    else if (typeof v === 'number') s += `#${v}\u0000`;
    else s += `?${JSON.stringify(v)}\u0000`;
  }
  return s;
}

export class SetDigest {
  count = 0;
  private readonly words = new Float64Array(5);

  constructor(readonly of: 'records' | 'rows' = 'records') {}

  add(record: unknown, sign: 1 | -1 = 1): void {
    this.addText(JSON.stringify(record) ?? 'null', sign);
  }

  /** A row by its column values `values[at .. at + count)` (a `rows` digest). */
  addRow(values: ArrayLike<unknown>, at: number, count: number, sign: 1 | -1 = 1): void {
    this.addText(rowText(values, at, count), sign);
  }

  private addText(text: string, sign: 1 | -1): void {
    // The digest as a 20-character 'binary' (latin1) string (one char per byte): a Buffer result
    // costs twice as much per call, which shows at a million records.
    const h = hash('sha1', text, 'binary');
    for (let i = 0; i < 5; i++) {
      const word = ((h.charCodeAt(i * 4) << 24) | (h.charCodeAt(i * 4 + 1) << 16) | (h.charCodeAt(i * 4 + 2) << 8) | h.charCodeAt(i * 4 + 3)) >>> 0;
      this.words[i] = (this.words[i]! + sign * word + 2 ** 32) % 2 ** 32;
    }
    this.count += sign;
  }

  equals(other: SetDigest): boolean {
    return this.of === other.of && this.count === other.count && this.words.every((w, i) => w === other.words[i]);
  }
}
