import type { Kysely } from 'kysely';
import type { DB } from './schema.js';
import { fromJson, toJson } from './json.js';

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
  };
}
export type AppStateSql = ReturnType<typeof createAppStateSql>;
