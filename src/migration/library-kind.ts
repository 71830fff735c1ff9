/**
 * Kind spellings the importer normalizes in library.json items: a `kind` that differs from one of
 * the library kinds only in case, surrounding white space or a plural `s` (`"Movie"`, `" music "`,
 * `"SERIES"`, `"movies"`, `"Books"`) is written as that kind, and the import report carries one
 * warning per item so the change is never silent. Any other unknown kind still quarantines the item.
 */
import { isObject } from '../db/json.js';
import { LIBRARY_KINDS, type LibraryKind } from '../library/library.types.js';

export interface KindWarning {
  file: string;
  locator: string;
  /** The spelling found in the file (JSON text, so white space stays visible). */
  from: string;
  to: LibraryKind;
}

const PLURALS: Record<string, LibraryKind> = { movies: 'movie', musics: 'music', books: 'book' };

/** The library kind `spelling` stands for, when it is not already one exactly. */
export function canonicalKind(spelling: unknown): LibraryKind | undefined {
  if (typeof spelling !== 'string' || (LIBRARY_KINDS as readonly string[]).includes(spelling)) return undefined;
  const folded = spelling.trim().toLowerCase();
  if ((LIBRARY_KINDS as readonly string[]).includes(folded)) return folded as LibraryKind;
  return PLURALS[folded];
}

/** `item` with its kind spelling normalized (a copy, key order kept), or undefined when there is nothing to change. */
export function normalizeItemKind(item: unknown): { item: Record<string, unknown>; from: string; to: LibraryKind } | undefined {
  if (!isObject(item)) return undefined;
  const to = canonicalKind(item.kind);
  if (to === undefined) return undefined;
  const copy: Record<string, unknown> = {};
  for (const k of Object.keys(item)) {
    const v = k === 'kind' ? to : item[k];
    if (k === '__proto__') Object.defineProperty(copy, k, { value: v, writable: true, enumerable: true, configurable: true });
    else copy[k] = v;
  }
  return { item: copy, from: JSON.stringify(item.kind), to };
}

/** The report's line for one normalized item. */
export function kindWarningLine(w: KindWarning): string {
  return `${w.file} ${w.locator}: kind ${w.from} imported as "${w.to}"`;
}
