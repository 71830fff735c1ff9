/**
 * All SQL of the library domain. One code path for SQLite and PostgreSQL except the full-text
 * predicate (FTS5 on SQLite, a GIN-indexed tsvector on PostgreSQL); see library.search.ts for
 * why both return the same rows.
 *
 * Paging is keyset only: `(title_lower, seq) > (?, ?) ORDER BY title_lower, seq LIMIT n+1` walks
 * idx_library_title (or idx_library_created_at, idx_library_kind_created_at, the unique
 * (kind, title_lower) index), so page 10,000 costs what page 1 costs. Never OFFSET.
 */
import type { ExpressionBuilder, Kysely, QueryResult, SelectQueryBuilder, Transaction } from 'kysely';
import { compileOnce, compileUnprepared } from '../db/compiled.js';
import { dataVersionReader } from '../db/data-version.js';
import type { Engine } from '../db/dialect.js';
import type { DB } from '../db/schema.js';
import { safeErrorFields } from '../http-client/http.js';
import { failureStreak, type StreakLogger } from '../logging.js';
import { applyPatch, LIBRARY_ITEM_COLUMNS, type LibraryRow, libraryItemFromRow, libraryItemToRow, titleKey } from './library.codec.js';
import { createLibraryCounts, SEARCH_EXACT_MAX } from './library.count.sql.js';
import { createHotPageReader, type HotPage } from './library.hot-pages.sql.js';
import { textFilter, walkFilter } from './library.match.sql.js';
import { ftsMatchExpression, tsQueryExpression } from './library.search.js';
import { bumpLibraryTotals, computeShared, readShared, renewBehind, TOTALS_REFRESH_MS, totalsCacheOf, validEntry } from './library.totals.js';
import type { LibraryCreateResult, LibraryCursor, LibraryItem, LibraryPage, LibraryPatch, LibraryPatchResult, LibraryQuery } from './library.types.js';

type Db = Kysely<DB> | Transaction<DB>;
type PagedRow = LibraryRow & { seq: number; title_lower: string; created_at: string };

/** SQLite SQLITE_CONSTRAINT_UNIQUE / PostgreSQL 23505. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

export { bumpLibraryTotals, onLibraryTotalsBumped } from './library.totals.js';

/**
 * With this many matches, walking the sort index (walkFilter) beats reading and sorting every
 * match: at 100k items, `the` (12k matches) 3 ms instead of 7 ms on SQLite, and the walk does not
 * grow with the library. Below it, the text filter drives from the index as before.
 */
export const WALK_MIN_MATCHES = 4_000;

export interface LibrarySqlOptions {
  /** Text queries with more matches answer an estimated total (default SEARCH_EXACT_MAX). */
  exactMax?: number;
  /** Text queries with at least this many (estimated) matches walk the sort index (default WALK_MIN_MATCHES). */
  walkMinMatches?: number;
  /** The walk reads at most this many rows of the sort order per page, then the full-text path answers (default 5,000 or 20 pages). */
  walkWindow?: number;
  /** Where a failing background renewal of a total or a remembered page is told (once per streak). */
  log?: StreakLogger;
}

export function createLibrarySql(db: Db, engine: Engine, opts: LibrarySqlOptions = {}) {
  const exactMax = opts.exactMax ?? SEARCH_EXACT_MAX;
  const walkMinMatches = opts.walkMinMatches ?? WALK_MIN_MATCHES;
  const walkRows = (limit: number) => opts.walkWindow ?? Math.max(5_000, 20 * (limit + 1));
  const cols = [...LIBRARY_ITEM_COLUMNS];
  const toItem = (row: LibraryRow) => libraryItemFromRow(row);
  const renewals = failureStreak(opts.log, 'library: background renewal of a total or page', (err) => safeErrorFields(err));

  /** The bound value of the text filter: an FTS5 MATCH expression or a tsquery. */
  const matchExpression = (tokens: string[]) => (engine === 'sqlite' ? ftsMatchExpression(tokens) : tsQueryExpression(tokens));

  /** `match`: the text filter's bound value, or undefined for none. */
  function filtered(q: { kind?: string; match?: string }) {
    let query = db.selectFrom('library_items');
    if (q.kind !== undefined) query = query.where('kind', '=', q.kind as LibraryQuery['kind'] & string);
    if (q.match !== undefined) query = query.where(textFilter(engine, q.match));
    return query;
  }

  const counts = createLibraryCounts(db, engine, filtered, matchExpression);
  const readHotPage = createHotPageReader(db, engine);

  function ordered(
    base: SelectQueryBuilder<DB, 'library_items', object>,
    q: Pick<LibraryQuery, 'sort' | 'kind' | 'after'>,
  ): SelectQueryBuilder<DB, 'library_items', object> {
    const desc = q.sort.startsWith('-');
    const dir = desc ? 'desc' : 'asc';
    const cmp = desc ? '<' : '>';
    const byTitle = q.sort.endsWith('title');
    const after = q.after;
    if (byTitle && q.kind) {
      // (kind, title_lower) is unique: the unique index alone orders the page, no tie-breaker.
      let query = base;
      if (after) query = query.where('title_lower', cmp, after.key);
      return query.orderBy('title_lower', dir);
    }
    const keyCol = byTitle ? 'title_lower' : 'created_at';
    let query = base;
    if (after) query = query.where((eb) => eb(eb.refTuple(keyCol, 'seq'), cmp, eb.tuple(after.key, after.seq)));
    return query.orderBy(keyCol, dir).orderBy('seq', dir);
  }

  const dataVersion = dataVersionReader(db, engine);

  /**
   * Page queries compiled once per shape (sort, which filters, cursor or not; src/db/compiled.ts):
   * building and compiling the query cost about as much as SQLite walking the index for it.
   * Slot order: kind, text match (or one needle per token when walking), cursor key, cursor seq,
   * limit (each only if the shape uses it).
   */
  const pageQueries = new Map<string, (values: readonly unknown[]) => Promise<QueryResult<PagedRow>>>();
  function runPage(q: LibraryQuery, walk: boolean): Promise<QueryResult<PagedRow>> {
    const match = q.tokens.length > 0 && !walk ? matchExpression(q.tokens) : undefined;
    const needles = q.tokens.length > 0 && walk ? q.tokens.map((t) => ` ${t}`) : undefined;
    const values: unknown[] = [];
    if (q.kind !== undefined) values.push(q.kind);
    if (match !== undefined) values.push(match);
    if (needles !== undefined) values.push(...needles);
    // By title within one kind, (kind, title_lower) is unique: the cursor's seq is not used (ordered()).
    const keyOnly = q.sort.endsWith('title') && q.kind !== undefined;
    if (q.after) values.push(q.after.key);
    if (q.after && !keyOnly) values.push(q.after.seq);
    if (needles !== undefined) values.push(walkRows(q.limit));
    values.push(q.limit + 1);
    const shape = `${q.sort}|${q.kind !== undefined}|${match !== undefined}|${needles?.length ?? 0}|${q.after !== undefined}`;
    let run = pageQueries.get(shape);
    if (!run) {
      // A text search is planned for its words on every run (see compileUnprepared).
      run = (match === undefined ? compileOnce : compileUnprepared)(db, values.length, (slot) => {
        let i = 0;
        const kind = q.kind !== undefined ? slot<string>(i++) : undefined;
        const m = match !== undefined ? slot<string>(i++) : undefined;
        const ns = needles?.map(() => slot<string>(i++));
        const after = q.after ? { sort: q.sort, key: slot<string>(i++), seq: keyOnly ? 0 : slot<number>(i++) } : undefined;
        const window = ns ? slot<number>(i++) : undefined;
        const limit = slot<number>(i++);
        // Only the sort key of this order is read (a page is ~15 values per row: each one counts).
        const sortKey = q.sort.endsWith('title') ? 'title_lower' : 'created_at';
        const order = { sort: q.sort, kind: kind as LibraryQuery['kind'], after };
        let base = filtered({ kind, match: m }).select([...cols, 'seq', sortKey]) as unknown as SelectQueryBuilder<DB, 'library_items', object>;
        if (ns && window !== undefined) {
          // The walk reads at most `window` rows of the sort order (a subquery the planners stream,
          // in order, without sorting again) and tests each one.
          const inOrder = filtered({ kind }).select([...cols, 'seq', sortKey, 'search_text']) as unknown as typeof base;
          const rowsInOrder = ordered(inOrder, order).limit(window);
          base = (db.selectFrom(rowsInOrder.as('library_items')) as unknown as typeof base)
            .select([...cols, 'seq', sortKey])
            .where(walkFilter(engine, ns) as never) as typeof base;
          return ordered(base, { ...order, after: undefined }).limit(limit) as unknown as SelectQueryBuilder<DB, 'library_items', PagedRow>;
        }
        return ordered(base, order).limit(limit) as unknown as SelectQueryBuilder<DB, 'library_items', PagedRow>;
      });
      pageQueries.set(shape, run);
    }
    return run(values);
  }

  /** Exact up to SEARCH_EXACT_MAX text matches; over it, an estimate (library.count.sql.ts). */
  async function total(q: Pick<LibraryQuery, 'tokens' | 'kind'>, version: string): Promise<{ n: number; estimate: boolean }> {
    const n = await cachedCount(q, version);
    if (q.tokens.length === 0 || n <= exactMax) return { n, estimate: false };
    // Never below what the bounded count saw (the estimate may predate writes).
    return { n: Math.max(exactMax + 1, await counts.estimate(q)), estimate: true };
  }

  /** The count of a filter (text filters: up to exactMax + 1), cached until a write (library.totals.ts). */
  async function cachedCount(q: Pick<LibraryQuery, 'tokens' | 'kind'>, version: string): Promise<number> {
    if (db.isTransaction) return countNow(q);
    const cache = totalsCacheOf(db);
    return readShared(cache, cache.counts, JSON.stringify([q.kind ?? '', q.tokens]), version, () => countNow(q), renewals);
  }

  const countNow = (q: Pick<LibraryQuery, 'tokens' | 'kind'>) => counts.count(q, q.tokens.length > 0 ? exactMax + 1 : undefined);

  /** One page of `q` read now (walking the sort index when `walk`), and what remembers it. */
  async function pageNow(q: LibraryQuery, walk: boolean): Promise<{ rows: LibraryRow[]; page: HotPage }> {
    let rows = (await runPage(q, walk)).rows;
    // The walk's window ended before the page did (matches bunched further on, e.g. titles that
    // begin with "The", or the last page): the full-text path answers, as for fewer matches.
    if (walk && rows.length <= q.limit) rows = (await runPage(q, false)).rows;
    const more = rows.length > q.limit;
    const page = more ? rows.slice(0, q.limit) : rows;
    const last = page[page.length - 1];
    const byTitle = q.sort.endsWith('title');
    const next: LibraryCursor | null = more && last ? { sort: q.sort, key: byTitle ? last.title_lower : last.created_at, seq: Number(last.seq) } : null;
    return { rows: page, page: { seqs: page.map((r) => Number(r.seq)), next } };
  }

  async function findOne(where: (eb: ExpressionBuilder<DB, 'library_items'>) => ReturnType<ExpressionBuilder<DB, 'library_items'>['and']>) {
    const row = await db.selectFrom('library_items').select(cols).where(where).orderBy('seq').limit(1).executeTakeFirst();
    return row ? toItem(row) : undefined;
  }

  return {
    async getById(id: string): Promise<LibraryItem | undefined> {
      const row = await db.selectFrom('library_items').select(cols).where('id', '=', id).executeTakeFirst();
      return row ? toItem(row) : undefined;
    },

    /**
     * First item (insertion order) whose id, or else exact title, is `key` (legacy GET /:id). Two
     * index look-ups (the id, and the first of the title by idx_library_title) in one statement:
     * as one `id = ? OR title...` filter, PostgreSQL walked the primary key in seq order testing
     * every row, ~0.9 s for an item added last to 1M (PATCH reads the item this way first).
     */
    async findByIdOrTitle(key: string): Promise<LibraryItem | undefined> {
      const fields = [...cols, 'seq'] as const;
      const byId = db.selectFrom('library_items').select(fields).where('id', '=', key);
      const byTitle = db.selectFrom('library_items').select(fields).where('title_lower', '=', titleKey(key)).where('title', '=', key).orderBy('seq').limit(1);
      // SQLite takes no ORDER BY/LIMIT on a member of a compound select: the title look-up is wrapped.
      const either = byId.unionAll(db.selectFrom(byTitle.as('first_by_title')).selectAll());
      const row = await db.selectFrom(either.as('matches')).select(cols).orderBy('seq').limit(1).executeTakeFirst();
      return row ? toItem(row) : undefined;
    },

    /** First item (insertion order) whose title is exactly `title` (artwork route). */
    async findByTitle(title: string): Promise<LibraryItem | undefined> {
      return findOne((eb) => eb.and([eb('title_lower', '=', titleKey(title)), eb('title', '=', title)]));
    },

    async count(): Promise<number> {
      const r = await db
        .selectFrom('library_items')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    /** Up to `limit` items after insertion sequence `afterSeq`, in insertion order. */
    async batchAfter(afterSeq: number, limit: number): Promise<{ items: LibraryItem[]; lastSeq: number }> {
      const rows = await db
        .selectFrom('library_items')
        .select([...cols, 'seq'])
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return { items: rows.map(toItem), lastSeq: rows.length ? Number(rows[rows.length - 1].seq) : afterSeq };
    },

    async query(q: LibraryQuery): Promise<LibraryPage> {
      const version = await dataVersion();
      const { n, estimate } = await total(q, version);
      const answer = (rows: LibraryRow[], next: LibraryCursor | null): LibraryPage =>
        estimate ? { items: rows.map(toItem), total: n, totalIsEstimate: true, next } : { items: rows.map(toItem), total: n, next };
      const walk = q.tokens.length > 0 && n >= walkMinMatches;
      // A page of a text search is remembered by its items' seqs (library.hot-pages.sql.ts), read by
      // one statement for all the requests that ask while it runs (library.totals.ts).
      if (q.tokens.length === 0 || db.isTransaction) {
        const { rows, page } = await pageNow(q, walk);
        return answer(rows, page.next);
      }
      const cache = totalsCacheOf(db);
      const key = JSON.stringify([q.kind ?? '', q.tokens, q.sort, q.limit, q.after?.key ?? null, q.after?.seq ?? null]);
      const hit = validEntry(cache, cache.pages, key, version);
      if (hit) {
        if (Date.now() - hit.at >= TOTALS_REFRESH_MS)
          renewBehind(
            computeShared(cache, cache.pages, key, version, () => pageNow(q, walk)),
            renewals,
          );
        const rows = await readHotPage(hit.value);
        if (rows) return answer(rows, hit.value.next);
        // A remembered row is gone (a writer the cache could not see): read the page again.
        cache.pages.entries.delete(key);
      }
      const { rows, page } = await computeShared(cache, cache.pages, key, version, () => pageNow(q, walk));
      return answer(rows, page.next);
    },

    /**
     * Inserts unless an item of the same kind and case-insensitive title exists (then that item
     * is returned unchanged, legacy) or the id is taken (duplicate_id). ON CONFLICT DO NOTHING
     * plus a look-up keeps it atomic under concurrent writers on both engines.
     */
    async create(item: LibraryItem, at: string): Promise<LibraryCreateResult> {
      const row = libraryItemToRow(item);
      for (let attempt = 0; attempt < 3; attempt++) {
        const inserted = await db
          .insertInto('library_items')
          .values({ ...row, created_at: at, updated_at: at })
          .onConflict((oc) => oc.doNothing())
          .returning('seq')
          .executeTakeFirst();
        if (inserted) {
          bumpLibraryTotals(db);
          // Wanted entries that already point at this id get their link (legacy never checked it).
          await db.updateTable('wanted_items').set({ library_item_id: item.id }).where('item_id', '=', item.id).where('library_item_id', 'is', null).execute();
          return { status: 'created', item: toItem(row as LibraryRow) };
        }
        const existing = await db
          .selectFrom('library_items')
          .select(cols)
          .where('kind', '=', row.kind)
          .where('title_lower', '=', row.title_lower)
          .executeTakeFirst();
        if (existing) return { status: 'exists', item: toItem(existing) };
        const sameId = await db.selectFrom('library_items').select('seq').where('id', '=', item.id).executeTakeFirst();
        if (sameId) return { status: 'duplicate_id' };
        // The conflicting row vanished between the two statements: try again.
      }
      return { status: 'duplicate_id' };
    },

    async patch(id: string, patch: LibraryPatch, at: string): Promise<LibraryPatchResult> {
      const run = async (trx: Db): Promise<LibraryPatchResult> => {
        const row = await trx.selectFrom('library_items').select(cols).where('id', '=', id).executeTakeFirst();
        if (!row) return { status: 'not_found' };
        const next = applyPatch(toItem(row), patch);
        const nextRow = libraryItemToRow(next);
        if (nextRow.kind !== row.kind || nextRow.title_lower !== titleKey(row.title)) {
          const clash = await trx
            .selectFrom('library_items')
            .select('seq')
            .where('kind', '=', nextRow.kind)
            .where('title_lower', '=', nextRow.title_lower)
            .where('id', '<>', id)
            .executeTakeFirst();
          if (clash) return { status: 'duplicate_title' };
        }
        const { id: _id, ...changes } = nextRow;
        await trx
          .updateTable('library_items')
          .set({ ...changes, updated_at: at })
          .where('id', '=', id)
          .execute();
        bumpLibraryTotals(db);
        return { status: 'updated', item: toItem(nextRow as LibraryRow) };
      };
      try {
        return db.isTransaction ? await run(db) : await (db as Kysely<DB>).transaction().execute(run);
      } catch (err) {
        if (isUniqueViolation(err)) return { status: 'duplicate_title' };
        throw err;
      }
    },

    async remove(id: string): Promise<LibraryItem | undefined> {
      const row = await db.deleteFrom('library_items').where('id', '=', id).returning(cols).executeTakeFirst();
      if (row) bumpLibraryTotals(db);
      return row ? toItem(row) : undefined;
    },
  };
}

export type LibrarySql = ReturnType<typeof createLibrarySql>;
