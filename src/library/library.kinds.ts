/**
 * Kind spellings legacy files hold besides the library kinds: the same word in another case, with
 * surrounding white space or in the plural (`"Movie"`, `" music "`, `"SERIES"`, `"books"`). Such an
 * item is stored under its library kind (so it lists and filters as one) and keeps its spelling in
 * `extra` under KIND_SPELLING_KEY, so export writes the file back as it was.
 */
import { LIBRARY_KINDS, type LibraryKind } from './library.types.js';

/** The `extra` member that holds a kind's legacy spelling (a marker: a legacy item holding it is quarantined). */
export const KIND_SPELLING_KEY = '$kindSpelling';

const PLURALS: Record<string, LibraryKind> = { movies: 'movie', musics: 'music', books: 'book' };

/** The library kind `spelling` stands for when it is not one exactly; undefined otherwise. */
export function canonicalKind(spelling: unknown): LibraryKind | undefined {
  if (typeof spelling !== 'string' || (LIBRARY_KINDS as readonly string[]).includes(spelling)) return undefined;
  const folded = spelling.trim().toLowerCase();
  if ((LIBRARY_KINDS as readonly string[]).includes(folded)) return folded as LibraryKind;
  return PLURALS[folded];
}

/** A library kind, or a spelling of one. */
export function isKindSpelling(v: unknown): boolean {
  return (typeof v === 'string' && (LIBRARY_KINDS as readonly string[]).includes(v)) || canonicalKind(v) !== undefined;
}
