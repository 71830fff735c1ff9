/**
 * Pages of common-word searches, remembered by the items they hold (issue 18).
 *
 * A page of a word with more matches than SEARCH_EXACT_MAX costs several times a plain page's
 * work: the full-text path reads every match, the walk (library.sql.ts, walkFilter) about
 * limit / (share that matches) rows. Many clients typing the same word ask for the same pages,
 * so such an answer is kept as the insertion sequences (`seq`) of its items plus its next cursor,
 * and the next request for that page reads those rows by primary key: a plain page's work. The
 * entries live beside the cached totals and expire with them (any library write through a
 * store, `PRAGMA data_version` on SQLite, TOTALS_TTL_MS in library.totals.ts); a remembered row that is gone (a
 * writer the cache could not see) sends the request back to the walk.
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
