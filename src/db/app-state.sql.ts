import type { Kysely } from 'kysely';
import { fromJson, toJson } from './json.js';
import type { DB } from './schema.js';

/** Small key/value facts about this instance (storage phase, auto-import record, ...). */
export function createAppStateSql(db: Kysely<DB>) {
  return {
    async get<T>(key: string): Promise<T | undefined> {
      const row = await db.selectFrom('app_state').select('value').where('key', '=', key).executeTakeFirst();
      return row ? fromJson<T>(row.value) : undefined;
    },
    async set(key: string, value: unknown): Promise<void> {
      const now = new Date().toISOString();
      await db
        .insertInto('app_state')
        .values({ key, value: toJson(value), updated_at: now })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: toJson(value), updated_at: now }))
        .execute();
    },
    /** Every fact whose key starts with `prefix`, by key (LIKE narrows; `_`/`%` in the prefix are re-checked exactly). */
    async list<T>(prefix: string): Promise<{ key: string; value: T; updatedAt: string }[]> {
      const rows = await db.selectFrom('app_state').select(['key', 'value', 'updated_at']).where('key', 'like', `${prefix}%`).orderBy('key').execute();
      return rows.filter((r) => r.key.startsWith(prefix)).map((r) => ({ key: r.key, value: fromJson<T>(r.value) as T, updatedAt: r.updated_at }));
    },
    async remove(key: string): Promise<void> {
      await db.deleteFrom('app_state').where('key', '=', key).execute();
    },
  };
}
export type AppStateSql = ReturnType<typeof createAppStateSql>;
