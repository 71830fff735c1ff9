/**
 * The library's per-handle caches of filtered counts (`total`) and of remembered pages of text
 * searches (library.hot-pages.sql.ts), and how a request reads them.
 *
 * Counting 250k rows of one kind costs ~8 ms on a NAS (at 1M items on PostgreSQL the whole
 * library's count ~100 ms), and a client paging through results would pay it on every page. An
 * entry is valid while (a) no write went through a library store on this handle
 * (`bumpLibraryTotals`), (b) on SQLite, `PRAGMA data_version` is unchanged (another process, e.g.
 * `mediaos import`, committed), and (c) it is younger than TOTALS_TTL_MS, counted from when its
 * statement started (writes that bypass the store in this process, or other PostgreSQL clients,
 * are seen within that time).
 *
 * Under load an expiring entry was the p99 (issue 18): every request that arrived after it ran
 * the statement again at once (a page of `the`: 50 walks on a pool of 10), and every request
 * behind them waited for the pool. So a read of an entry (`readShared`)
 * - shares one statement among concurrent requests for the same value (same key, same
 *   generation and data version: a request never joins a statement that started before a write
 *   it must see), and
 * - renews an entry in the background once it is TOTALS_REFRESH_MS old, while it is still valid,
 *   so a steadily asked value is recomputed once per period and no request waits for it. A renewal
 *   that fails reaches no request: its outcome goes to the store's `TaskOutcomes` (logged once per
 *   failure streak), and the entry expires as it would have.
 *
 * With read replicas (db/read-replicas.ts) every statement whose result is kept here runs on the
 * primary: an entry is served to every request for up to TOTALS_TTL_MS, so one counted on a
 * replica that had not yet replayed this process's last write (it may lag up to
 * MEDIAOS_REPLICA_MAX_LAG_MS) would hide that write from every reader, the writer included, after
 * the write's generation bump. It costs the primary about one statement per key and TOTALS_REFRESH_MS.
 */
import type { Kysely, Transaction } from 'kysely';
import { onPrimary } from '../db/read-replicas.js';
import type { DB } from '../db/schema.js';
import { shareFlight } from '../db/shared-flight.js';
import type { TaskOutcomes } from '../logging.js';
import type { LibraryRow } from './library.codec.js';
import type { HotPage } from './library.hot-pages.sql.js';

type Db = Kysely<DB> | Transaction<DB>;

export const TOTALS_TTL_MS = 5_000;
/** An entry this old is renewed by the next request that reads it, in the background. */
export const TOTALS_REFRESH_MS = 4_000;
/** At most this many entries per map (then the map is emptied). */
const ENTRIES_MAX = 1_000;

interface Entry<T> {
  value: T;
  gen: number;
  version: string;
  at: number;
}

/**
 * One cached kind of value: its entries (T), and the statements under way (by generation, version
 * and key), whose result R the requests that share them get (a page: its rows too).
 */
export interface SharedMap<T, R = T> {
  entries: Map<string, Entry<T>>;
  pending: Map<string, Promise<R>>;
  /** What of a result is kept. */
  keep: (result: R) => T;
}

export interface TotalsCache {
  gen: number;
  counts: SharedMap<number>;
  /** Pages of text searches, valid as long as the totals: the rows are read again by primary key. */
  pages: SharedMap<HotPage, { page: HotPage; rows: LibraryRow[] }>;
}

const totalsCaches = new WeakMap<object, TotalsCache>();

export function totalsCacheOf(db: Db): TotalsCache {
  let c = totalsCaches.get(db);
  if (!c) {
    c = {
      gen: 0,
      counts: { entries: new Map(), pending: new Map(), keep: (n) => n },
      pages: { entries: new Map(), pending: new Map(), keep: (r) => r.page },
    };
    totalsCaches.set(db, c);
  }
  return c;
}

const bumpListeners = new Set<() => void>();

/**
 * Forget cached totals (the importer calls this after writing library rows directly). Listeners
 * (the cluster relay) hear of it unless `announce` is false (a bump that came from elsewhere).
 */
export function bumpLibraryTotals(db: Db, opts: { announce?: boolean } = {}): void {
  const c = totalsCacheOf(db);
  c.gen += 1;
  c.counts.entries.clear();
  c.pages.entries.clear();
  if (opts.announce === false) return;
  for (const l of bumpListeners) l();
}

/** Called after every local library write that changes totals; returns the unsubscribe. */
export function onLibraryTotalsBumped(listener: () => void): () => void {
  bumpListeners.add(listener);
  return () => {
    bumpListeners.delete(listener);
  };
}

/** The valid entry of `key` (generation, data version and age checked), if any. */
export function validEntry<T, R>(cache: TotalsCache, map: SharedMap<T, R>, key: string, version: string): Entry<T> | undefined {
  const hit = map.entries.get(key);
  return hit && hit.gen === cache.gen && hit.version === version && Date.now() - hit.at < TOTALS_TTL_MS ? hit : undefined;
}

/**
 * Runs `compute` for `key` once, on the primary, for every request that asks while it runs, and
 * keeps its value (dated from the statement's start) unless a write bumped the generation meanwhile.
 */
export function computeShared<T, R>(cache: TotalsCache, map: SharedMap<T, R>, key: string, version: string, compute: () => Promise<R>): Promise<R> {
  const gen = cache.gen;
  return shareFlight(map.pending, `${gen}\u0000${version}\u0000${key}`, async () => {
    const started = Date.now();
    const result = await onPrimary(compute);
    if (gen === cache.gen) {
      if (map.entries.size >= ENTRIES_MAX && !map.entries.has(key)) map.entries.clear();
      const old = map.entries.get(key);
      // A slower statement that started earlier never replaces a newer value.
      if (!old || old.gen !== gen || old.version !== version || old.at <= started) map.entries.set(key, { value: map.keep(result), gen, version, at: started });
    }
    return result;
  });
}

/** A renewal under way behind an answer: its outcome goes to `outcomes`, nothing waits for it. */
export function renewBehind(renewal: Promise<unknown>, outcomes?: TaskOutcomes): void {
  renewal.then(
    () => outcomes?.succeeded(),
    (err: unknown) => outcomes?.failed(err),
  );
}

/**
 * The value of `key`: the valid entry (renewed in the background once TOTALS_REFRESH_MS old),
 * else one shared statement. A failed renewal (told to `outcomes`) leaves the entry to expire as it would have.
 */
export async function readShared<T>(
  cache: TotalsCache,
  map: SharedMap<T>,
  key: string,
  version: string,
  compute: () => Promise<T>,
  outcomes?: TaskOutcomes,
): Promise<T> {
  const hit = validEntry(cache, map, key, version);
  if (!hit) return computeShared(cache, map, key, version, compute);
  if (Date.now() - hit.at >= TOTALS_REFRESH_MS) renewBehind(computeShared(cache, map, key, version, compute), outcomes);
  return hit.value;
}
