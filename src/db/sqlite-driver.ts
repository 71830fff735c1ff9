import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * Adapts a better-sqlite3 handle for Kysely's SqliteDialect with two additions:
 * - prepared statements are cached by SQL text (Kysely would prepare every query again);
 * - booleans are bound as 0/1 (better-sqlite3 refuses JS booleans), so repository code can pass
 *   booleans on both engines.
 */
export function cachedSqliteDatabase(db: BetterSqlite3.Database, maxStatements = 500): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const bind = (params: ReadonlyArray<unknown>): unknown[] =>
    params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));

  function prepare(text: string): SqliteStatement {
    let stmt = cache.get(text);
    if (stmt) {
      cache.delete(text); // re-insert to keep the map in LRU order
    } else {
      stmt = db.prepare(text);
      if (cache.size >= maxStatements) cache.delete(cache.keys().next().value as string);
    }
    cache.set(text, stmt);
    const s = stmt;
    return {
      reader: s.reader,
      all: (p) => s.all(bind(p)),
      run: (p) => s.run(bind(p)),
      iterate: (p) => s.iterate(bind(p)),
    };
  }

  return { prepare, close: () => db.close() };
}
