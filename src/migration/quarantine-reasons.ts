/**
 * Why a legacy value is kept verbatim in quarantine instead of going into a column: the limits a
 * database row can hold (index size, nesting, exact numbers, reserved marker keys) and the words
 * the import report uses for each.
 */
import { MAX_INDEXED_BYTES } from '../db/indexed-limit.js';
import { jsonTextFacts, type Span } from '../legacy/json-text.js';
import { pointer } from './legacy-files.js';

/**
 * Deepest nesting a record may have: SQLite's JSON functions stop at 1000 levels (its CHECK
 * json_valid then fails), and JSON.stringify and our comparisons recurse. Real legacy records
 * nest 4 or 5 levels; a deeper one is kept verbatim.
 */
export const MAX_DEPTH = 500;

export const tooLongReason = (field: string, v: string) =>
  `${field} is ${Buffer.byteLength(v)} bytes long; the database indexes at most ${MAX_INDEXED_BYTES} (kept verbatim here; export writes it back)`;

/** A map key whose locator would not fit the quarantine's index: the whole file is kept instead. */
export const keyTooLong = (key: string) => key.length > MAX_INDEXED_BYTES / 3 && Buffer.byteLength(pointer(key)) > MAX_INDEXED_BYTES;
export const longKeyReason = (key: string) =>
  `a top-level key is ${Buffer.byteLength(key)} bytes long, more than a record's place in the file may be (${MAX_INDEXED_BYTES}); the whole file is kept verbatim (export writes it back)`;

/** True when a quarantined raw JSON text must be written back as text (see verbatimReason): equal only to itself. */
export function keptAsText(raw: string): boolean {
  const facts = jsonTextFacts(raw);
  return facts.lossyAt >= 0 || facts.depth > MAX_DEPTH;
}

/**
 * Why a value whose JSON text is `text[span]` must be kept as that text: a number JSON.parse
 * cannot give back exactly, or nesting deeper than MAX_DEPTH. Undefined for ordinary values.
 */
export function verbatimReason(text: string, span: Span): string | undefined {
  const facts = jsonTextFacts(text, span.start, span.end);
  if (facts.depth > MAX_DEPTH)
    return `nested ${facts.depth} levels deep, more than the ${MAX_DEPTH} the database takes (kept verbatim here; export writes it back)`;
  if (facts.lossyAt < 0) return undefined;
  const literal = /^-?[\d.eE+-]+/.exec(text.slice(facts.lossyAt, Math.min(span.end, facts.lossyAt + 400)))![0];
  const shown = literal.length > 40 ? `${literal.slice(0, 40)}...` : literal;
  return `holds the number ${shown}, which would not come back exactly (kept verbatim here; export writes it back)`;
}

export const reservedReason = (k: string) =>
  `holds the key ${JSON.stringify(k)}, which MediaOS uses as a marker in its own rows (kept verbatim here; export writes it back)`;
export const unknownKey = (k: string) => `unknown top-level key ${JSON.stringify(k)} (kept here; export writes it back)`;
