/**
 * An order-independent digest of a set of records: the sum, word by word, of each record's hash.
 * The import adds what it writes and compares that with the sum over the rows read back, so a
 * million items are checked with one sequential scan instead of a million lookups. Any difference
 * falls back to the record-by-record comparison, which names the record: never a false "equal".
 * Three kinds, never mixed:
 * - `records`: each record's JSON text as the codec rebuilds it from its row (the import used it
 *   on PostgreSQL until `pg-rows`; it differed there whenever jsonb reordered an object's keys,
 *   so every such import ended in the record-by-record comparison);
 * - `rows`: each row's data column values as written (SQLite gives back exactly what it was
 *   given): half the cost, with no record to rebuild and stringify per row on either side. (A
 *   difference only in a derived column, such as search_text, makes the sums differ; the
 *   record-by-record comparison that follows then finds every record intact.)
 * - `pg-rows`: each row's data column values as PostgreSQL prints them (pgRowText: jsonb in its
 *   own key order, see jsonb-text.ts), MD5 words summed; the database sums the same over the table
 *   in one query (library-bulk.sql.ts libraryDigest), so no row travels back to Node.
 */
import { hash } from 'node:crypto';
import { jsonbText } from './jsonb-text.js';
import { hasUnstorable } from './storable.js';

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

/** How PostgreSQL prints a column of a `pg-rows` digest: text, an integer type, boolean, or jsonb. */
export type PgColumnType = 'text' | 'integer' | 'boolean' | 'jsonb';

/**
 * The text the database builds for one row (library-bulk.sql.ts pgRowSql builds it in SQL), from
 * the values written: a text `<UTF-8 bytes>:<text>`, an integer `#<digits>;`, a boolean `?true;` or
 * `?false;`, jsonb like a text of its `jsonb::text`, NULL `~`. Each part ends where its own form says, so the text names the row's
 * values unambiguously. Undefined for a value the database would not print that way (a JSON text
 * that does not parse, an object in a text column...): the digest then cannot match.
 */
export function pgRowText(values: ArrayLike<unknown>, at: number, types: readonly PgColumnType[]): string | undefined {
  let s = '';
  for (let k = 0; k < types.length; k++) {
    const v = values[at + k];
    if (v === null || v === undefined) {
      s += '~';
      continue;
    }
    const type = types[k];
    if (type === 'integer') {
      if (typeof v === 'number' ? !Number.isSafeInteger(v) : typeof v !== 'string' || !/^-?\d+$/.test(v)) return undefined;
      s += `#${v};`;
      continue;
    }
    if (type === 'boolean') {
      if (typeof v !== 'boolean') return undefined;
      s += `?${v};`;
      continue;
    }
    let text: string | undefined;
    if (type === 'text') text = typeof v === 'string' ? v : undefined;
    else if (typeof v === 'string') {
      try {
        text = jsonbText(JSON.parse(v));
      } catch {
        return undefined;
      }
    } else text = jsonbText(v);
    if (text === undefined) return undefined;
    s += `${Buffer.byteLength(text, 'utf8')}:${text}`;
  }
  return s;
}

/**
 * SHA-1 of a text as a 20-character 'binary' (latin1) string (one char per byte): a Buffer result
 * costs twice as much per call, which shows at a million records.
 */
function textHash(text: string): string {
  return hash('sha1', text, 'binary');
}

/** The hash a `rows` digest adds for a row (its values `values[at .. at + count)`). */
export function rowHash(values: ArrayLike<unknown>, at: number, count: number): string {
  return textHash(rowText(values, at, count));
}

/** The hash a `pg-rows` digest adds for a row (MD5 of pgRowText), '' when the row cannot be expressed. */
export function pgRowHash(values: ArrayLike<unknown>, at: number, types: readonly PgColumnType[]): string {
  const text = pgRowText(values, at, types);
  // NUL or a lone surrogate: UTF-8 cannot carry it, so the database would hold something else
  return text === undefined || hasUnstorable(text) ? '' : hash('md5', text, 'binary');
}

export class SetDigest {
  count = 0;
  private readonly words = new Float64Array(5);
  /** A row could not be expressed (pgRowText undefined): this digest equals no other. */
  private unmatchable = false;

  constructor(readonly of: 'records' | 'rows' | 'pg-rows' = 'records') {}

  /**
   * A digest from its sums: count and word sums mod 2^32 (`pg-rows`: the four MD5 word sums
   * libraryDigest returns; `rows`: the five SHA-1 word sums of rowsDigestAggregate).
   */
  static fromSums(count: number, words: readonly number[], of: 'rows' | 'pg-rows' = 'pg-rows'): SetDigest {
    const d = new SetDigest(of);
    d.count = count;
    words.forEach((w, i) => {
      d.words[i] = w;
    });
    return d;
  }

  /** A row of a `pg-rows` digest: values `values[at .. at + types.length)`, as written. */
  addPgRow(values: ArrayLike<unknown>, at: number, types: readonly PgColumnType[], sign: 1 | -1 = 1): void {
    this.addRowHash(pgRowHash(values, at, types), sign);
  }

  /**
   * A row by its hash (rowHash or pgRowHash, whichever this digest's kind takes; '' for a row that
   * cannot be expressed): the same as addRow / addPgRow with its values. The library's parsing
   * thread hashes the rows it emits, so the thread that writes them only adds.
   */
  addRowHash(h: string, sign: 1 | -1 = 1): void {
    if (h === '') this.unmatchable = true;
    else for (let i = 0; i < h.length / 4; i++) this.addWord(i, h, sign);
    this.count += sign;
  }

  private addWord(i: number, h: string, sign: 1 | -1): void {
    const word = ((h.charCodeAt(i * 4) << 24) | (h.charCodeAt(i * 4 + 1) << 16) | (h.charCodeAt(i * 4 + 2) << 8) | h.charCodeAt(i * 4 + 3)) >>> 0;
    this.words[i] = (this.words[i]! + sign * word + 2 ** 32) % 2 ** 32;
  }

  add(record: unknown, sign: 1 | -1 = 1): void {
    this.addText(JSON.stringify(record) ?? 'null', sign);
  }

  /** A row by its column values `values[at .. at + count)` (a `rows` digest). */
  addRow(values: ArrayLike<unknown>, at: number, count: number, sign: 1 | -1 = 1): void {
    this.addText(rowText(values, at, count), sign);
  }

  private addText(text: string, sign: 1 | -1): void {
    this.addRowHash(textHash(text), sign);
  }

  /** The count and the word sums (what fromSums takes back). */
  sums(): { count: number; words: number[] } {
    return { count: this.count, words: [...this.words] };
  }

  equals(other: SetDigest): boolean {
    if (this.unmatchable || other.unmatchable) return false;
    return this.of === other.of && this.count === other.count && this.words.every((w, i) => w === other.words[i]);
  }
}

/** The SQLite aggregate that sums a `rows` digest over the rows it sees (rowsDigestAggregate). */
export const ROWS_DIGEST_FUNCTION = 'mediaos_rows_digest';

/** What registers an aggregate on a SQLite connection: better-sqlite3's Database.aggregate. */
export interface AggregateHost {
  aggregate(
    name: string,
    options: {
      start: () => SetDigest;
      step: (state: SetDigest, ...values: unknown[]) => SetDigest;
      result: (state: SetDigest) => string;
      varargs: boolean;
    },
  ): unknown;
}

const registered = new WeakSet<AggregateHost>();

/**
 * Registers ROWS_DIGEST_FUNCTION on a SQLite connection (once per connection): `fn(c1, .., cn)`
 * adds each row's column values with SetDigest.addRow, the same rowText and SHA-1 the writer took,
 * and answers `{"count":..,"words":[..]}` (the sums; fromSums(.., 'rows') rebuilds the digest).
 * The rows never become JavaScript rows: SQLite hands each row's values straight to the step, in
 * one scan (1M items: 2.3 s of CPU against 3.7 s for reading them back in pages of 500 and summing them here).
 */
export function registerRowsDigest(host: AggregateHost): string {
  if (!registered.has(host)) {
    host.aggregate(ROWS_DIGEST_FUNCTION, {
      start: () => new SetDigest('rows'),
      step: (state, ...values) => {
        state.addRow(values, 0, values.length);
        return state;
      },
      result: (state) => JSON.stringify(state.sums()),
      varargs: true,
    });
    registered.add(host);
  }
  return ROWS_DIGEST_FUNCTION;
}
