import type { Insertable, Kysely, Transaction } from 'kysely';
import type { DB, DownloadersTable } from '../db/schema.js';
import { downloaderFromRow, downloadersToRows, type Opener, type Sealer } from './downloaders.codec.js';
import { CLIENT_TYPES, type ClientType, type DownloadersSettings } from './downloaders.types.js';

/** What may be read without touching a secret. */
const publicColumns = ['client_type', 'enabled', 'base_url', 'username', 'category', 'timeout_ms', 'config'] as const;
/** Read only by `get`, the one method that decrypts. */
const secretColumns = ['encrypted_password', 'encrypted_api_key'] as const;

type Db = Kysely<DB> | Transaction<DB>;

export function createDownloadersSql(db: Db, secrets: Sealer & Opener) {
  async function inTransaction<R>(fn: (trx: Db) => Promise<R>): Promise<R> {
    return db.isTransaction ? fn(db) : (db as Kysely<DB>).transaction().execute(fn);
  }

  async function upsert(trx: Db, row: Insertable<DownloadersTable>): Promise<void> {
    await trx
      .insertInto('downloaders')
      .values(row)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          enabled: eb.ref('excluded.enabled'),
          base_url: eb.ref('excluded.base_url'),
          username: eb.ref('excluded.username'),
          encrypted_password: eb.ref('excluded.encrypted_password'),
          encrypted_api_key: eb.ref('excluded.encrypted_api_key'),
          category: eb.ref('excluded.category'),
          timeout_ms: eb.ref('excluded.timeout_ms'),
          config: eb.ref('excluded.config'),
        })),
      )
      .execute();
  }

  return {
    /** Every stored section, secrets decrypted (plaintext in memory only). */
    async get(): Promise<DownloadersSettings> {
      const rows = await db
        .selectFrom('downloaders')
        .select([...publicColumns, ...secretColumns])
        .execute();
      const out: DownloadersSettings = {};
      for (const t of CLIENT_TYPES) {
        const row = rows.find((r) => r.client_type === t);
        if (row) out[t] = downloaderFromRow(row, secrets);
      }
      return out;
    },

    /** Replaces the document: present sections are upserted, absent ones deleted. */
    async save(settings: DownloadersSettings): Promise<void> {
      const rows = downloadersToRows(settings, secrets);
      const absent = CLIENT_TYPES.filter((t) => settings[t] === undefined);
      await inTransaction(async (trx) => {
        for (const row of rows) await upsert(trx, row);
        if (absent.length > 0) await trx.deleteFrom('downloaders').where('client_type', 'in', absent).execute();
      });
    },

    /** For the importer: rows already built with downloaderToRow. */
    async upsertRows(rows: Insertable<DownloadersTable>[]): Promise<void> {
      await inTransaction(async (trx) => {
        for (const row of rows) await upsert(trx, row);
      });
    },

    async clientTypes(): Promise<ClientType[]> {
      const rows = await db.selectFrom('downloaders').select('client_type').orderBy('client_type').execute();
      return rows.map((r) => r.client_type);
    },
  };
}

export type DownloadersSql = ReturnType<typeof createDownloadersSql>;
