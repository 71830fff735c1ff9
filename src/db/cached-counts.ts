/**
 * Row counts of paged lists (`total` of the wanted list, the activity queue and history, the
 * verify results), kept per database handle and list so a page or a write answer does not count
 * every row again (issue 18: POST /api/wanted?limit=0 on PostgreSQL spent most of its 4.9 ms in a
 * `count(*)` of ~52k rows).
 *
 * An entry is the count of one list, taken once, then kept exact by the writes this process
 * makes through the store (`write`: +1 on an insert, -1 on a delete; a write whose effect on the
 * count is not known drops the entry instead). It is used while
 *   (a) no other process announced a write to the list (`dropCounts`, called by the cluster
 *       relay on a notice; PostgreSQL),
 *   (b) on SQLite, `PRAGMA data_version` is what it was when counted (another process, e.g. a
 *       second `serve` worker or `mediaos import`, committed), and
 *   (c) it is younger than COUNTS_TTL_MS: writers that announce nothing (psql, a command run on
 *       another host) are seen within that time.
 * Writes that bypass the stores in this process (the importer, quarantine retries) call
 * `dropCounts` when they commit.
 *
 * Races: a count that was under way while any write to the list started, ran or was dropped is
 * answered but not kept (it may or may not include that write), so an adjusted entry never
 * counts one write twice or misses one.
 */
import type { Kysely, Transaction } from 'kysely';
import { dataVersionReader } from './data-version.js';
import type { Engine } from './dialect.js';
import { onPrimary } from './read-replicas.js';
import type { DB } from './schema.js';
import { shareFlight } from './shared-flight.js';

type Db = Kysely<DB> | Transaction<DB>;

/** How long a count is trusted against writers that announce nothing (the library's totals use the same). */
export const COUNTS_TTL_MS = 5_000;

interface Entry {
  n: number;
  version: string;
  at: number;
}

interface ListCounts {
  entries: Map<string, Entry>;
  /** Moves when a write starts and on every drop: a count that saw it move is not kept. */
  epoch: number;
  /** Writes under way: a count started meanwhile is not kept. */
  writing: number;
  /** Counts being taken: concurrent requests for the same one share one query. */
  pending: Map<string, Promise<number>>;
}

/** Per database handle: the lists' counts, and the data_version reader of that handle (data-version.ts). */
interface HandleCounts {
  lists: Map<string, ListCounts>;
  version?: () => Promise<string>;
}

const handles = new WeakMap<object, HandleCounts>();
const dropListeners = new Set<(list: string) => void>();

function handleOf(db: Db): HandleCounts {
  let h = handles.get(db);
  if (!h) {
    h = { lists: new Map() };
    handles.set(db, h);
  }
  return h;
}

function listOf(db: Db, list: string): ListCounts {
  const h = handleOf(db);
  let c = h.lists.get(list);
  if (!c) {
    c = { entries: new Map(), epoch: 0, writing: 0, pending: new Map() };
    h.lists.set(list, c);
  }
  return c;
}

function dropHere(c: ListCounts): void {
  c.epoch += 1;
  c.entries.clear();
}

/** What listeners are told by a drop of every list: other processes may keep counts of lists this one never counted. */
export const EVERY_LIST = '*';

/**
 * Forget the cached counts of `lists` (every list when omitted) on this handle. Listeners (the
 * cluster relay) hear of it unless `announce` is false (the drop came from another process): the
 * lists' names, or EVERY_LIST once when none were named.
 */
export function dropCounts(db: Db, lists?: readonly string[], opts: { announce?: boolean } = {}): void {
  const h = handleOf(db);
  const names = lists ?? [...h.lists.keys()];
  for (const name of names) dropHere(listOf(db, name));
  if (opts.announce === false) return;
  for (const name of lists ?? [EVERY_LIST]) for (const l of dropListeners) l(name);
}

/** Told the list of every local write or drop that other processes must hear of; returns the unsubscribe. */
export function onCountsChanged(listener: (list: string) => void): () => void {
  dropListeners.add(listener);
  return () => {
    dropListeners.delete(listener);
  };
}

/**
 * The counts of one list (`list`: a name shared by every store on the handle, e.g. the table).
 * `key` tells apart several counts of one list (e.g. the activity queue and the whole history).
 */
export function cachedCounts(db: Db, engine: Engine, list: string) {
  const c = listOf(db, list);
  const h = handleOf(db);
  h.version ??= dataVersionReader(db, engine);
  const version = h.version;
  const announce = () => {
    for (const l of dropListeners) l(list);
  };

  return {
    /** The count of `key`, from the cache when current, else `load()` (on the primary, never a replica). */
    async read(key: string, load: () => Promise<number>): Promise<number> {
      if (db.isTransaction) return load();
      const v = await version();
      const hit = c.entries.get(key);
      if (hit && hit.version === v && Date.now() - hit.at < COUNTS_TTL_MS) return hit.n;
      const epoch = c.epoch;
      return shareFlight(c.pending, `${epoch}\u0000${v}\u0000${key}`, async () => {
        const quiet = c.writing === 0;
        const n = await onPrimary(load);
        if (quiet && c.writing === 0 && c.epoch === epoch) c.entries.set(key, { n, version: v, at: Date.now() });
        return n;
      });
    },

    /**
     * Runs a write to the list. `deltas(result)`: how each kept count changed (a key it leaves
     * out is dropped), or 'drop' for unknown. A failed write drops every count of the list.
     */
    async write<R>(run: () => Promise<R>, deltas: (result: R) => Record<string, number> | 'drop'): Promise<R> {
      if (db.isTransaction) {
        // Its commit is not ours to see: the handle it came from is told by whoever commits (dropCounts).
        return run();
      }
      c.epoch += 1;
      c.writing += 1;
      let result: R;
      try {
        result = await run();
      } catch (err) {
        c.writing -= 1;
        dropHere(c);
        announce();
        throw err;
      }
      c.writing -= 1;
      const d = deltas(result);
      if (d === 'drop') dropHere(c);
      else {
        for (const [key, e] of c.entries) {
          const by = d[key];
          if (by === undefined) c.entries.delete(key);
          else e.n += by;
        }
        if (Object.values(d).every((by) => by === 0)) return result;
      }
      announce();
      return result;
    },

    /** Forget this list's counts (and tell the other processes). */
    drop(): void {
      dropCounts(db, [list]);
    },
  };
}
