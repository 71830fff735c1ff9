/**
 * The two forms of the library's text predicate; both select the items whose folded title
 * (`search_text`) has, for every query token, a word starting with it (library.search.ts).
 */
import { type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { Engine } from '../db/dialect.js';
import type { DB } from '../db/schema.js';

/**
 * The full-text predicate (FTS5 on SQLite, the GIN-indexed tsvector on PostgreSQL) on `match`
 * (an FTS5 expression or a tsquery): the planner drives from the match set (look up each match,
 * then sort them), right for few matches.
 */
export function textFilter(engine: Engine, match: string) {
  return (eb: ExpressionBuilder<DB, 'library_items'>) =>
    engine === 'sqlite'
      ? eb('seq', 'in', sql<number>`(select rowid from library_items_fts where library_items_fts match ${match})`)
      : eb(sql`to_tsvector('simple', search_text)`, '@@', sql`to_tsquery('simple', ${match})`);
}

/**
 * The same match tested on each row (`needles`: ' ' + token each): a title matches when every
 * token starts one of its words, i.e. when ' ' + search_text contains ' ' + token (search_text
 * is folded words joined by single spaces). With many matches the page query walks the sort
 * index and stops at LIMIT: it reads about limit / (share of items that match) rows whatever
 * the library's size, where driving from the match set reads (and on SQLite materialises) every
 * match on every request (issue 18: 0.16x of the page rate).
 */
export function walkFilter(engine: Engine, needles: string[]) {
  return (eb: ExpressionBuilder<DB, 'library_items'>) =>
    eb.and(needles.map((n) => (engine === 'sqlite' ? sql<SqlBool>`instr(' ' || search_text, ${n}) > 0` : sql<SqlBool>`strpos(' ' || search_text, ${n}) > 0`)));
}
