import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { type Opener, SECRET_FIELDS, type Sealer, settingsFromRow, settingsToRow } from './settings.codec.js';
import type { SettingsDocument } from './settings.types.js';

const HAS_SECRETS = new Set(SECRET_FIELDS.map((f) => f.key));

/**
 * The generic settings-document store on the `settings` table: one row per whole legacy
 * document, key = the legacy file name without `.json`. A row exists iff the document exists.
 * Documents with secret fields (settings.codec.ts) need `secrets` (the secret box): they are
 * sealed inside the stored JSON and opened on the way out. Works on a transaction too.
 */
export function createSettingsSql(db: Kysely<DB>, secrets?: Sealer & Opener) {
  const box = (key: string): Sealer & Opener => {
    if (secrets) return secrets;
    if (HAS_SECRETS.has(key)) throw new Error(`settings document "${key}" holds secrets: createSettingsSql needs the secret box`);
    return { seal: (s) => s, open: (s) => s };
  };
  return {
    async get<T = SettingsDocument>(key: string): Promise<T | undefined> {
      const row = await db.selectFrom('settings').select(['key', 'value']).where('key', '=', key).executeTakeFirst();
      return row ? (settingsFromRow(row, box(key)).value as T) : undefined;
    },

    async put(key: string, value: unknown): Promise<void> {
      const row = settingsToRow(key, value as SettingsDocument, box(key));
      await db
        .insertInto('settings')
        .values(row)
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: row.value }))
        .execute();
    },

    async remove(key: string): Promise<void> {
      await db.deleteFrom('settings').where('key', '=', key).execute();
    },
  };
}
export type SettingsSql = ReturnType<typeof createSettingsSql>;
