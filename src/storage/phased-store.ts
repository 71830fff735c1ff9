import type { StoragePhase } from '../storage/phase-list.js';
import type { FileSyncLedger } from './file-sync.js';

/** The file side of the dual-write phases: counters of this process, and the durable record. */
export interface FileSyncStatus {
  /** Failed file writes in this process (the durable count is in the ledger). */
  failures: number;
  lastError?: { store: string; message: string; at: string };
  /** Durable record of files behind the database (survives a crash or restart); none in unit tests. */
  ledger?: FileSyncLedger;
  /**
   * Stores whose files were already behind the database when this process started (the rewrite
   * at start failed): their record is kept until a start rewrites them, whatever this process writes.
   */
  stuck?: ReadonlySet<string>;
  /** Records waiting to be removed (see CLEAR_DELAY_MS), by store: flushFileSync removes them now. */
  clears?: Map<string, () => Promise<void>>;
}

export function newFileSyncStatus(ledger?: FileSyncLedger, stuck: Iterable<string> = []): FileSyncStatus {
  return { failures: 0, ...(ledger ? { ledger, stuck: new Set(stuck), clears: new Map() } : {}) };
}

/**
 * A store's record is removed this long after its last write settled, not after every write:
 * back-to-back writes then cost one extra database write for the whole burst instead of two per
 * request. Keeping a record longer is always safe (at worst one needless rewrite at start).
 */
export const CLEAR_DELAY_MS = 1000;

/** Removes now the records whose delayed removal is due (app close, tests). */
export async function flushFileSync(fileSync: FileSyncStatus): Promise<void> {
  for (const clear of [...(fileSync.clears?.values() ?? [])]) await clear();
}

export interface Logger {
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * Builds the store a service sees for one domain from its `sql` and `json` implementations,
 * following the storage phase (DESIGN.md):
 *   files            -> json only
 *   dual-read-files  -> writes: db then files; reads: files
 *   dual-read-db     -> writes: db then files; reads: db
 *   db               -> sql only
 * The database is the source of truth in the dual phases: a failed file write is logged and
 * counted in `fileSync` (health shows it) and never fails the request. Before a store's first
 * database write the ledger durably marks its files as behind (src/storage/file-sync.ts); the mark
 * is removed shortly (CLEAR_DELAY_MS) after no write is in flight, if none failed. A failed file write keeps it: the file
 * (reloaded from disk) lacks that change until the next start rewrites it from the database. Writes are ordered per
 * store so the file sees the database's order of operations: otherwise two concurrent patches of
 * one record could land in one order in the database and the other in the file. A request's
 * promise resolves once both sides hold its change.
 *
 * Write methods must be deterministic given their arguments (services generate ids and times),
 * so applying the same call to both sides gives the same record.
 */
export function phasedStore<T extends object>(opts: {
  name: string;
  phase: StoragePhase;
  sql: T;
  json: T;
  writes: readonly (keyof T)[];
  fileSync: FileSyncStatus;
  log: Logger;
}): T {
  const { phase, sql, json } = opts;
  if (phase === 'db') return sql;
  if (phase === 'files') return json;
  const readFrom = phase === 'dual-read-files' ? json : sql;
  const writes = new Set<PropertyKey>(opts.writes);
  let queue: Promise<unknown> = Promise.resolve();
  const ledger = opts.fileSync.ledger;
  // marked: the ledger holds our record; behind: a file write failed (or the files were behind
  // at start), so only a rewrite from the database may remove the record.
  const behind = { marked: opts.fileSync.stuck?.has(opts.name) ?? false, failed: opts.fileSync.stuck?.has(opts.name) ?? false, inflight: 0 };
  let timer: NodeJS.Timeout | undefined;
  async function clearNow(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    opts.fileSync.clears?.delete(opts.name);
    if (!ledger || behind.inflight > 0 || !behind.marked || behind.failed) return;
    behind.marked = false;
    try {
      await ledger.clear(opts.name);
    } catch (err) {
      // The record stays: the next start rewrites these files once more, nothing is lost.
      opts.log.warn({ store: opts.name, err: err instanceof Error ? err.message : String(err) }, 'dual-write: could not clear the pending file-sync record');
    }
  }
  /** No write in flight and none failed: the record goes after CLEAR_DELAY_MS, unless a write comes first. */
  function settle(): void {
    if (!ledger || behind.inflight > 0 || !behind.marked || behind.failed || timer) return;
    timer = setTimeout(() => void clearNow(), CLEAR_DELAY_MS);
    timer.unref();
    opts.fileSync.clears?.set(opts.name, clearNow);
  }

  const wrapper = {} as Record<PropertyKey, unknown>;
  for (const key of methodNames(sql)) {
    if (writes.has(key)) {
      wrapper[key] = (...args: unknown[]) => {
        // The chain orders the database writes and the *start* of each file write, so the file
        // applies them in the database's order. It does not wait for a file write to finish
        // before the next database write: queued file changes are then flushed together (the
        // json file coalesces), instead of one whole-file rewrite per request.
        const started = queue.then(async () => {
          if (timer) {
            clearTimeout(timer); // still marked: this write keeps the record
            timer = undefined;
            opts.fileSync.clears?.delete(opts.name);
          }
          if (ledger && !behind.marked) {
            await ledger.mark(opts.name, new Date().toISOString());
            behind.marked = true;
          }
          behind.inflight += 1;
          let result: unknown;
          try {
            result = await (sql as Record<PropertyKey, (...a: unknown[]) => unknown>)[key](...args);
          } catch (err) {
            behind.inflight -= 1;
            settle();
            throw err;
          }
          const fileWrite = (async () => (json as Record<PropertyKey, (...a: unknown[]) => unknown>)[key](...args))();
          return { result, fileWrite };
        });
        queue = started.catch(() => undefined);
        return started.then(async ({ result, fileWrite }) => {
          try {
            await fileWrite;
          } catch (err) {
            opts.fileSync.failures += 1;
            behind.failed = true;
            const message = err instanceof Error ? err.message : String(err);
            const at = new Date().toISOString();
            opts.fileSync.lastError = { store: opts.name, message, at };
            opts.log.warn(
              { store: opts.name, method: String(key), err: message },
              'dual-write: file write failed; the database has the change, and the next start of the server rewrites this file from the database (do not run `mediaos import`: it would drop the change)',
            );
            await ledger?.fail(opts.name, message, at).catch(() => undefined); // the mark is already durable
          } finally {
            behind.inflight -= 1;
            settle();
          }
          return result;
        });
      };
    } else {
      const target = readFrom as Record<PropertyKey, (...a: unknown[]) => unknown>;
      wrapper[key] = (...args: unknown[]) => target[key](...args);
    }
  }
  return wrapper as T;
}

function methodNames(obj: object): PropertyKey[] {
  const names = new Set<PropertyKey>();
  let p: object | null = obj;
  while (p && p !== Object.prototype) {
    for (const k of Reflect.ownKeys(p)) {
      if (k !== 'constructor' && typeof (obj as Record<PropertyKey, unknown>)[k] === 'function') names.add(k);
    }
    p = Object.getPrototypeOf(p);
  }
  return [...names];
}
