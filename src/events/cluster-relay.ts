import { dropCounts, EVERY_LIST, onCountsChanged } from '../db/cached-counts.js';
import { type ClusterSignals, MAX_PAYLOAD_BYTES, publishSignalOnce } from '../db/cluster-signals.js';
import type { Database } from '../db/connect.js';
import { bumpLibraryTotals, onLibraryTotalsBumped } from '../library/library.sql.js';
import type { EventBus, EventType } from './events.bus.js';

const EVENT_TOPIC = 'event';
const LIBRARY_TOTALS_TOPIC = 'library.totals';
/**
 * Payload: `{ lists: string[] }`, the lists of db/cached-counts.ts written here, or `{ all: true }`
 * after a drop of every list (an import): a payload without a `lists` array drops every list.
 */
const COUNTS_TOPIC = 'counts';
/** Library writes in a burst (an import, a bulk edit) announce one invalidation. */
const TOTALS_DEBOUNCE_MS = 50;

/**
 * Connects this server process to the others on the same database: events published here go to
 * their SSE streams and theirs come to ours; a library write here drops their cached totals, a
 * write to a list with a cached count (db/cached-counts.ts: wanted, grabs, ...) drops their count
 * of it. On SQLite both caches already see other writers (PRAGMA data_version), so only events
 * travel. While the PostgreSQL LISTEN connection is lost, notices of the others are missed: every
 * cached count is dropped when it goes down and again when it is back.
 */
export function startClusterRelay(deps: { db: Pick<Database, 'kysely' | 'engine'>; events: EventBus; signals: ClusterSignals }): () => void {
  const { db, events, signals } = deps;
  const offEvents = events.onLocalPublish((e) => {
    // A message holds < 8 kB: a larger event reaches the other processes without its data (clients reload from the API).
    const fits = Buffer.byteLength(JSON.stringify(e.data)) < MAX_PAYLOAD_BYTES - 300;
    signals.publish(EVENT_TOPIC, { type: e.type, at: e.at, data: fits ? e.data : { truncated: true } });
  });
  let pending: NodeJS.Timeout | undefined;
  const offBumps =
    db.engine === 'postgres'
      ? onLibraryTotalsBumped(() => {
          pending ??= setTimeout(() => {
            pending = undefined;
            signals.publish(LIBRARY_TOTALS_TOPIC, null);
          }, TOTALS_DEBOUNCE_MS);
          pending.unref();
        })
      : () => {};
  const changedLists = new Set<string>();
  let pendingCounts: NodeJS.Timeout | undefined;
  const offCounts =
    db.engine === 'postgres'
      ? onCountsChanged((list) => {
          changedLists.add(list);
          pendingCounts ??= setTimeout(() => {
            pendingCounts = undefined;
            const payload = countsPayload(changedLists);
            changedLists.clear();
            signals.publish(COUNTS_TOPIC, payload);
          }, TOTALS_DEBOUNCE_MS);
          pendingCounts.unref();
        })
      : () => {};
  const offListening = db.engine === 'postgres' ? signals.onListening(() => dropCounts(db.kysely, undefined, { announce: false })) : () => {};
  const offSignals = signals.subscribe((topic, payload) => {
    if (topic === LIBRARY_TOTALS_TOPIC) bumpLibraryTotals(db.kysely, { announce: false });
    else if (topic === COUNTS_TOPIC) dropCounts(db.kysely, countLists(payload), { announce: false });
    else if (topic === EVENT_TOPIC && isEvent(payload)) events.receive(payload.type, payload.at, payload.data);
  });
  return () => {
    if (pending) clearTimeout(pending);
    if (pendingCounts) clearTimeout(pendingCounts);
    offEvents();
    offBumps();
    offCounts();
    offListening();
    offSignals();
  };
}

function countsPayload(lists: ReadonlySet<string>): { lists: string[] } | { all: true } {
  return lists.has(EVERY_LIST) ? { all: true } : { lists: [...lists] };
}

/**
 * For a command that writes to the database beside running servers and keeps no caches of its
 * own (`mediaos import`, `mediaos quarantine admit|drop`): collects what its writes announce (a
 * library totals bump, the lists whose counts changed) from now on, and `flush` tells the servers
 * on the same PostgreSQL database, with the notices their own relay sends for the same writes, so
 * their kept totals and counts do not wait for their 5 s TTL. SQLite sends nothing: the servers
 * see another process's commit by `PRAGMA data_version`.
 */
export function noticesForServers(db: Database): { flush(): Promise<void>; stop(): void } {
  let totals = false;
  const lists = new Set<string>();
  const offBumps = onLibraryTotalsBumped(() => {
    totals = true;
  });
  const offCounts = onCountsChanged((list) => lists.add(list));
  const stop = () => {
    offBumps();
    offCounts();
  };
  return {
    async flush() {
      stop();
      if (db.engine !== 'postgres') return;
      if (totals) await publishSignalOnce(db, LIBRARY_TOTALS_TOPIC, null);
      if (lists.size > 0) await publishSignalOnce(db, COUNTS_TOPIC, countsPayload(lists));
      totals = false;
      lists.clear();
    },
    stop,
  };
}

function isEvent(p: unknown): p is { type: EventType; at: string; data: Record<string, unknown> } {
  const e = p as { type?: unknown; at?: unknown; data?: unknown } | null;
  return !!e && typeof e.type === 'string' && typeof e.at === 'string' && typeof e.data === 'object' && e.data !== null;
}

/** The lists of a counts notice; every list when the payload is not one (e.g. truncated). */
function countLists(p: unknown): string[] | undefined {
  const lists = (p as { lists?: unknown } | null)?.lists;
  return Array.isArray(lists) && lists.every((l) => typeof l === 'string') ? lists : undefined;
}
