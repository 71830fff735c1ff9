/**
 * SQLite's `PRAGMA data_version` of one handle, as text: it moves when another connection (a second
 * `serve` worker, `mediaos import`) commits, so a cache keyed by it sees other processes' writes.
 * PostgreSQL has no such number: '' (its caches hear other processes by notice and a TTL).
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import { compileOnce } from './compiled.js';
import type { Engine } from './dialect.js';
import type { DB } from './schema.js';

export function dataVersionReader(db: Kysely<DB> | Transaction<DB>, engine: Engine): () => Promise<string> {
  if (engine !== 'sqlite') return async () => '';
  const pragma = compileOnce(db, 0, () => sql<{ data_version: number }>`pragma data_version`);
  return async () => String((await pragma([])).rows[0]?.data_version ?? '');
}
