/**
 * Title search, shared by both SQL engines and the json store so every phase finds the same items.
 *
 * `foldForSearch(title)` is what the `search_text` column holds: NFD, combining marks stripped,
 * lower-cased, a few letters without a decomposition mapped to ASCII (ø -> o, ł -> l, ß -> ss...),
 * and every run of characters that are not letters, digits or private-use characters replaced
 * by ONE space. The last step is why SQLite FTS5 (unicode61, whose token characters are exactly
 * L*, N*, Co) and PostgreSQL's `simple` parser (which would otherwise keep "spider-man" or "2.0"
 * as one token) split a title into the same tokens: both see plain space-separated words.
 *
 * A query is folded the same way; each query token must be a prefix of some title token
 * (AND across tokens): FTS5 `"tok"*`, tsquery `tok:*`, and `matchesTokens` in memory.
 */
const EXTRA_FOLDS: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
  ħ: 'h',
  ŧ: 't',
  ŀ: 'l',
};
const EXTRA_FOLD_RE = /[ßæœøłđðþıħŧŀ]/g;
const MARKS_RE = /\p{M}+/gu;
const SEPARATORS_RE = /[^\p{L}\p{N}\p{Co}]+/gu;

const ASCII_RE = /^[\x00-\x7f]*$/;
const ASCII_SEPARATORS_RE = /[^a-z0-9]+/g;

export function foldForSearch(title: string): string {
  // ASCII has no marks and no extra folds, and its letters and digits are exactly [a-z0-9] once
  // lower-cased: the same result without the Unicode passes (most titles; a third of the
  // import's parsing time at 1M items went to this function).
  if (ASCII_RE.test(title)) return title.toLowerCase().replace(ASCII_SEPARATORS_RE, ' ').trim();
  return foldUnicode(title);
}

/** The general fold (exported for the test that holds the ASCII shortcut to it). */
export function foldUnicode(title: string): string {
  return title
    .normalize('NFD')
    .replace(MARKS_RE, '')
    .toLowerCase()
    .normalize('NFD') // lower-casing can produce new marks (e.g. U+0130 -> i + U+0307)
    .replace(MARKS_RE, '')
    .replace(EXTRA_FOLD_RE, (c) => EXTRA_FOLDS[c] ?? c)
    .replace(SEPARATORS_RE, ' ')
    .trim();
}

/** The tokens of a user query (at most 16; duplicates removed). Empty means "no text filter". */
export function searchTokens(q: string | undefined): string[] {
  if (!q) return [];
  const folded = foldForSearch(q);
  if (folded === '') return [];
  return [...new Set(folded.split(' '))].slice(0, 16);
}

/** FTS5 MATCH expression: every token quoted (so no FTS syntax survives) with a prefix star. */
export function ftsMatchExpression(tokens: string[]): string {
  return tokens.map((t) => `"${t.replace(/"/g, '""')}"*`).join(' AND ');
}

/** PostgreSQL to_tsquery('simple', ...) text: tokens hold only letters/digits after folding. */
export function tsQueryExpression(tokens: string[]): string {
  return tokens.map((t) => `'${t.replace(/'/g, "''").replace(/\\/g, '\\\\')}':*`).join(' & ');
}

/** In-memory equivalent of the engines' prefix match, on a folded search text. */
export function matchesTokens(searchText: string, tokens: string[]): boolean {
  if (tokens.length === 0) return true;
  const words = searchText.split(' ');
  return tokens.every((t) => words.some((w) => w.startsWith(t)));
}

/**
 * Compares strings in UTF-8 byte order (what SQLite's BINARY collation and PostgreSQL's C
 * collation do), not in UTF-16 code unit order (what `<` does): they differ only when a
 * surrogate pair meets a character in U+E000..U+FFFF.
 */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x += x >= 0xe000 ? -0x800 : 0x2000;
      y += y >= 0xe000 ? -0x800 : 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}
