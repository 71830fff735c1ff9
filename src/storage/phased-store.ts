import type { StoragePhase } from '../storage/phase-list.js';

/** What health reports about the file side of the dual-write phases. */
export interface FileSyncStatus {
  failures: number;
  lastError?: { store: string; message: string; at: string };
}

export function newFileSyncStatus(): FileSyncStatus {
  return { failures: 0 };
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
 * counted in `fileSync` (health shows it) and never fails the request. Writes are ordered per
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

  const wrapper = {} as Record<PropertyKey, unknown>;
  for (const key of methodNames(sql)) {
    if (writes.has(key)) {
      wrapper[key] = (...args: unknown[]) => {
        // The chain orders the database writes and the *start* of each file write, so the file
        // applies them in the database's order. It does not wait for a file write to finish
        // before the next database write: queued file changes are then flushed together (the
        // json file coalesces), instead of one whole-file rewrite per request.
        const started = queue.then(async () => {
          const result = await (sql as Record<PropertyKey, (...a: unknown[]) => unknown>)[key](...args);
          const fileWrite = (async () => (json as Record<PropertyKey, (...a: unknown[]) => unknown>)[key](...args))();
          return { result, fileWrite };
        });
        queue = started.catch(() => undefined);
        return started.then(async ({ result, fileWrite }) => {
          try {
            await fileWrite;
          } catch (err) {
            opts.fileSync.failures += 1;
            const message = err instanceof Error ? err.message : String(err);
            opts.fileSync.lastError = { store: opts.name, message, at: new Date().toISOString() };
            opts.log.warn({ store: opts.name, method: String(key), err: message }, 'dual-write: file write failed; the database has the change');
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
