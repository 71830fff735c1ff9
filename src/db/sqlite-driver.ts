import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import { rowBuilder } from './row-builder.js';

export { rowBuilder } from './row-builder.js';

type Row = Record<string, unknown>;

interface Prepared {
  stmt: BetterSqlite3.Statement;
  build?: (values: unknown[]) => Row;
  /** `PRAGMA schema_version` when prepared: DDL can change what `select *` returns. */
  schema: number;
  star: boolean;
}

/**
 * Adapts a better-sqlite3 handle for Kysely's SqliteDialect with three additions:
 * - prepared statements are cached by SQL text (Kysely would prepare every query again);
 * - reading statements run in raw mode and build their rows with `rowBuilder`;
 * - booleans are bound as 0/1 (better-sqlite3 refuses JS booleans), so repository code can pass
 *   booleans on both engines.
 */
export function cachedSqliteDatabase(db: BetterSqlite3.Database, maxStatements = 500): SqliteDatabase {
  const cache = new Map<string, Prepared>();
  const schemaVersion = db.prepare('pragma schema_version').pluck();
  // Parameters go to better-sqlite3 as arguments, not as one array: it reads an array element by
  // element through V8's API, arguments straight from the call (the import's library insert of
  // 500 rows: 0.917x, bench/sqlite-bind.ts). SQLite takes at most 32,766 parameters, well within
  // a call's reach.
  const bind = (params: ReadonlyArray<unknown>): unknown[] => {
    for (const p of params) if (typeof p === 'boolean') return params.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
    return params as unknown[];
  };

  function prepared(text: string): Prepared {
    let entry = cache.get(text);
    if (entry) cache.delete(text); // re-inserted below to keep the map in LRU order
    // After DDL, prepare again: a cached `select *` would otherwise keep its old column list.
    // Only a `*` can make the result columns depend on the schema (named columns keep their
    // names), so statements without one skip the check.
    const schema = entry && !entry.star ? entry.schema : (schemaVersion.get() as number);
    if (!entry || entry.schema !== schema) {
      const stmt = db.prepare(text);
      const star = text.includes('*');
      entry = stmt.reader ? { stmt: stmt.raw(true), build: rowBuilder(stmt.columns().map((c) => c.name)), schema, star } : { stmt, schema, star };
      if (cache.size >= maxStatements) cache.delete(cache.keys().next().value as string);
    }
    cache.set(text, entry);
    return entry;
  }

  function prepare(text: string): SqliteStatement {
    const { stmt, build } = prepared(text);
    return {
      reader: stmt.reader,
      all: (p) => (build ? (stmt.all(...bind(p)) as unknown[][]).map(build) : stmt.all(...bind(p))),
      run: (p) => stmt.run(...bind(p)),
      iterate: build
        ? function* (p) {
            for (const values of stmt.iterate(...bind(p)) as IterableIterator<unknown[]>) yield build(values);
          }
        : (p) => stmt.iterate(...bind(p)),
    };
  }

  return { prepare, close: () => db.close() };
}
