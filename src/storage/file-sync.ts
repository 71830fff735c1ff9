// The durable record of legacy files that may be behind the database (dual phases). A store's
// row is written BEFORE its database write, in its own commit, and removed once the file holds
// every change again. So whatever point a crash hits (after the mark, after the database
// commit, during the file write), the row survives it, and the next start rewrites that
// store's files from the database (src/migration/file-resync.ts). A mark whose database write
// then failed or never happened only costs one needless rewrite. Kept in app_state, one key per
// store (`filesync.<store>`), so two stores never contend for one row.
import type { Kysely } from 'kysely';
import { createAppStateSql } from '../db/app-state.sql.js';
import type { DB } from '../db/schema.js';

export const FILE_SYNC_PREFIX = 'filesync.';

export interface FileSyncRecord {
  store: string;
  /** When the store's file first fell (or may have fallen) behind the database. */
  since: string;
  /** Failed file writes since then (0: pending, e.g. a crash between the two writes). */
  failures: number;
  lastError?: { message: string; at: string };
}

export interface FileSyncLedger {
  /** Records that `store`'s file is about to be behind the database. */
  mark(store: string, at: string): Promise<void>;
  /** Counts a failed file write (the record stays until the file is rewritten). */
  fail(store: string, message: string, at: string): Promise<void>;
  /** The file holds the database's state again. */
  clear(store: string): Promise<void>;
  list(): Promise<FileSyncRecord[]>;
}

type Stored = Omit<FileSyncRecord, 'store'>;

export function createFileSyncLedger(db: Kysely<DB>): FileSyncLedger {
  const state = createAppStateSql(db);
  // One chain for every operation: a clear and the next mark reach the database in call order
  // (a PostgreSQL pool would not keep it), and a fail's read-modify-write is never interleaved.
  let chain: Promise<unknown> = Promise.resolve();
  const inOrder = <R>(op: () => Promise<R>): Promise<R> => {
    const run = chain.then(op);
    chain = run.catch(() => undefined);
    return run;
  };
  const key = (store: string) => `${FILE_SYNC_PREFIX}${store}`;
  return {
    mark: (store, at) =>
      inOrder(async () => {
        if (!(await state.get<Stored>(key(store)))) await state.set(key(store), { since: at, failures: 0 } satisfies Stored);
      }),
    fail: (store, message, at) =>
      inOrder(async () => {
        const prev = await state.get<Stored>(key(store));
        await state.set(key(store), { since: prev?.since ?? at, failures: (prev?.failures ?? 0) + 1, lastError: { message, at } } satisfies Stored);
      }),
    clear: (store) => inOrder(() => state.remove(key(store))),
    list: () => inOrder(async () => (await state.list<Stored>(FILE_SYNC_PREFIX)).map((r) => ({ store: r.key.slice(FILE_SYNC_PREFIX.length), ...r.value }))),
  };
}
