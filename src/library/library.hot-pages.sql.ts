/**
 * Pages of text searches, remembered by the items they hold (issue 18).
 *
 * A page of a search costs several times a plain page's work: the full-text path reads and sorts
 * every match, the walk (library.sql.ts, walkFilter) about limit / (share that matches) rows. Many
 * clients typing the same word ask for the same pages, so such an answer is kept as the insertion
 * sequences (`seq`) of its items plus its next cursor, and the next request for that page reads
 * those rows by primary key: a plain page's work. First kept only for words over SEARCH_EXACT_MAX
 * matches; a 10k library's 3-letter prefixes match 244-488 items, each read and sorted again per
 * request, and searched at half the rate of a 100k library's (2,004 against 859 req/s at 50
 * connections on SQLite once kept too). The entries live beside the cached totals and expire with
 * them (any library write through a store, `PRAGMA data_version` on SQLite, TOTALS_TTL_MS in
 * library.totals.ts); a remembered row that is gone (a writer the cache could not see) sends the
 * request back to the page query.
 */
import { type Kysely, type QueryResult, sql, type Transaction } from 'kysely';
import { compileOnce } from '../db/compiled.js';
import type { Engine } from '../db/dialect.js';
import type { DB } from '../db/schema.js';
import { LIBRARY_ITEM_COLUMNS, type LibraryRow } from './library.codec.js';
import type { LibraryCursor } from './library.types.js';

type Db = Kysely<DB> | Transaction<DB>;

export interface HotPage {
  seqs: number[];
  next: LibraryCursor | null;
}

export function createHotPageReader(db: Db, engine: Engine) {
  const bySeqs = compileOnce(db, 1, (slot) =>
    db
      .selectFrom('library_items')
      .select([...LIBRARY_ITEM_COLUMNS, 'seq'])
      .where(
        engine === 'sqlite'
          ? sql<boolean>`seq in (select value from json_each(${slot<string>(0)}))`
          : sql<boolean>`seq = any(cast(${slot<string>(0)} as bigint[]))`,
      ),
  ) as (values: readonly unknown[]) => Promise<QueryResult<LibraryRow & { seq: number }>>;

  /** The rows of a remembered page in its order, or undefined when one of them is gone. */
  return async function read(page: HotPage): Promise<LibraryRow[] | undefined> {
    if (page.seqs.length === 0) return [];
    const list = engine === 'sqlite' ? JSON.stringify(page.seqs) : `{${page.seqs.join(',')}}`;
    const rows = (await bySeqs([list])).rows;
    if (rows.length !== page.seqs.length) return undefined;
    const at = new Map<number, LibraryRow>();
    for (const r of rows) at.set(Number(r.seq), r);
    const ordered: LibraryRow[] = [];
    for (const s of page.seqs) {
      const r = at.get(s);
      if (!r) return undefined;
      ordered.push(r);
    }
    return ordered;
  };
}
