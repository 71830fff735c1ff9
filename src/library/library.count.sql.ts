/**
 * Counting search matches without counting every match on every request (issue 18).
 *
 * A text query is first counted up to a bound (`exactMax + 1` rows of the match set, no sort):
 * at most `exactMax` matches is the exact total, as before. Over the bound, the total is an
 * estimate: the full count of the match set, taken once and kept for ESTIMATE_TTL_MS per
 * (kind, tokens); a stale one (up to twice that age) is answered at once while one recount runs
 * for the next requests, an older one is counted again first.
 * Library writes do not drop it (they do drop the bounded counts), so a word that matches 100k
 * items is counted at most every ESTIMATE_TTL_MS whatever the write rate.
 */
import { type Kysely, type SelectQueryBuilder, sql, type Transaction } from 'kysely';
import type { Engine } from '../db/dialect.js';
import type { DB } from '../db/schema.js';
import { shareFlight } from '../db/shared-flight.js';
import { ftsMatchExpression } from './library.search.js';
import type { LibraryQuery } from './library.types.js';

type Db = Kysely<DB> | Transaction<DB>;
type Filtered = (q: { kind?: string; match?: string }) => SelectQueryBuilder<DB, 'library_items', object>;
type CountQuery = Pick<LibraryQuery, 'tokens' | 'kind'>;

/** Up to this many matches, `total` is exact; over it, an estimate (`totalIsEstimate`). */
export const SEARCH_EXACT_MAX = 1_000;
export const ESTIMATE_TTL_MS = 30_000;
const ESTIMATES_MAX = 1_000;

interface Estimate {
  n: number;
  at: number;
  refreshing: boolean;
}
interface EstimateCache {
  entries: Map<string, Estimate>;
  pending: Map<string, Promise<number>>;
}
const estimateCaches = new WeakMap<object, EstimateCache>();

function estimateCacheOf(db: Db): EstimateCache {
  let c = estimateCaches.get(db);
  if (!c) {
    c = { entries: new Map(), pending: new Map() };
    estimateCaches.set(db, c);
  }
  return c;
}

/** `filtered` builds the match set of a (kind, match expression) as the page query does. */
export function createLibraryCounts(db: Db, engine: Engine, filtered: Filtered, matchExpression: (tokens: string[]) => string) {
  const filterOf = (q: CountQuery) => ({ kind: q.kind, match: q.tokens.length > 0 ? matchExpression(q.tokens) : undefined });

  /** Exact count, or `limit` when the match set holds at least that many rows. */
  async function count(q: CountQuery, limit?: number): Promise<number> {
    if (engine === 'sqlite' && q.tokens.length > 0 && !q.kind) {
      // The FTS index alone answers without a kind filter (no look-up of the items).
      const match = ftsMatchExpression(q.tokens);
      const r =
        limit === undefined
          ? await sql<{ n: number }>`select count(*) as n from library_items_fts where library_items_fts match ${match}`.execute(db)
          : await sql<{
              n: number;
            }>`select count(*) as n from (select rowid from library_items_fts where library_items_fts match ${match} limit ${limit})`.execute(db);
      return Number(r.rows[0]?.n ?? 0);
    }
    if (limit === undefined) {
      const r = await filtered(filterOf(q))
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    }
    const r = await db
      .selectFrom(filtered(filterOf(q)).select(sql<number>`1`.as('one')).limit(limit).as('m'))
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** The full count of a match set known to be over the bound, cached (see the file comment). */
  async function estimate(q: CountQuery): Promise<number> {
    if (db.isTransaction) return count(q);
    const cache = estimateCacheOf(db);
    const key = JSON.stringify([q.kind ?? '', q.tokens]);
    const hit = cache.entries.get(key);
    // Past twice its life (nobody asked meanwhile) an estimate is counted again before answering.
    if (hit && !hit.refreshing && Date.now() - hit.at >= 2 * ESTIMATE_TTL_MS) cache.entries.delete(key);
    else if (hit) {
      if (!hit.refreshing && Date.now() - hit.at >= ESTIMATE_TTL_MS) {
        hit.refreshing = true;
        // A failed recount (e.g. the database closing) keeps the old figure and tries again later.
        count(q).then(
          (n) => cache.entries.set(key, { n, at: Date.now(), refreshing: false }),
          () => {
            hit.refreshing = false;
            hit.at = Date.now();
          },
        );
      }
      return hit.n;
    }
    return shareFlight(cache.pending, key, async () => {
      const n = await count(q);
      if (cache.entries.size >= ESTIMATES_MAX) cache.entries.clear();
      cache.entries.set(key, { n, at: Date.now(), refreshing: false });
      return n;
    });
  }

  return { count, estimate };
}
