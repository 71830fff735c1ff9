import type { Kysely, Transaction } from 'kysely';
import { fromJson, toJson } from '../db/json.js';
import type { DB } from '../db/schema.js';

type Db = Kysely<DB> | Transaction<DB>;

export interface CacheEntry {
  key: string;
  provider: string;
  /** The request without secrets (path and query), for operators. */
  request: string;
  value: unknown;
  fetchedAt: string;
  expiresAt: string;
}

/** The metadata answer cache (table `metadata_cache`, migration 0008), the same on both engines. */
export function createMetadataCacheSql(db: Db) {
  return {
    /** The cached answer for `key` unless it expired at `now` (ISO). */
    async get(key: string, now: string): Promise<unknown | undefined> {
      const row = await db.selectFrom('metadata_cache').select('value').where('key', '=', key).where('expires_at', '>', now).executeTakeFirst();
      return row ? fromJson(row.value) : undefined;
    },

    async put(e: CacheEntry): Promise<void> {
      const row = { key: e.key, provider: e.provider, request: e.request, value: toJson(e.value), fetched_at: e.fetchedAt, expires_at: e.expiresAt };
      await db
        .insertInto('metadata_cache')
        .values(row)
        .onConflict((oc) => oc.column('key').doUpdateSet({ request: row.request, value: row.value, fetched_at: row.fetched_at, expires_at: row.expires_at }))
        .execute();
    },

    /** Deletes what expired at `now`; answers how many rows went. */
    async purgeExpired(now: string): Promise<number> {
      const r = await db.deleteFrom('metadata_cache').where('expires_at', '<=', now).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
export type MetadataCacheSql = ReturnType<typeof createMetadataCacheSql>;
