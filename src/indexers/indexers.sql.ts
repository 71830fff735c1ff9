import type { Insertable, Kysely, Transaction } from 'kysely';
import type { DB, IndexersTable } from '../db/schema.js';
import { INDEXERS_SETTINGS_KEY, indexerFromRow, indexerSourcesFromRow, indexerSourcesToRow, indexerToRow, type Opener, type Sealer } from './indexers.codec.js';
import {
  applyIndexerPatch,
  type IndexerConfig,
  type IndexerPatch,
  type IndexerSources,
  type IndexersDocument,
  keptBySync,
  type SyncSource,
} from './indexers.types.js';

/** What may be read without touching a secret. */
const publicColumns = ['id', 'name', 'type', 'protocol', 'base_url', 'enabled', 'priority', 'position', 'config'] as const;
/** Read only where a record with its (decrypted) secret is built. */
const secretColumns = ['encrypted_api_key'] as const;

type Db = Kysely<DB> | Transaction<DB>;

/**
 * `indexers.json` on the database: the entries in `indexers` (ordered by `position`), the rest of
 * the file in the `settings` row `indexers` (apiKeys sealed). Works on a transaction too.
 */
export function createIndexersSql(db: Db, secrets: Sealer & Opener) {
  async function inTransaction<R>(fn: (trx: Db) => Promise<R>): Promise<R> {
    return db.isTransaction ? fn(db) : (db as Kysely<DB>).transaction().execute(fn);
  }

  async function listIn(trx: Db): Promise<IndexerConfig[]> {
    const rows = await trx
      .selectFrom('indexers')
      .select([...publicColumns, ...secretColumns])
      .orderBy('position')
      .orderBy('id')
      .execute();
    return rows.map((r) => indexerFromRow(r, secrets));
  }

  async function sourcesIn(trx: Db): Promise<IndexerSources> {
    const row = await trx.selectFrom('settings').select('value').where('key', '=', INDEXERS_SETTINGS_KEY).executeTakeFirst();
    return row ? indexerSourcesFromRow(row, secrets) : {};
  }

  async function nextPosition(trx: Db): Promise<number> {
    const r = await trx
      .selectFrom('indexers')
      .select((eb) => eb.fn.max('position').as('max'))
      .executeTakeFirst();
    return r?.max === null || r?.max === undefined ? 0 : Number(r.max) + 1;
  }

  async function putSources(trx: Db, sources: IndexerSources): Promise<void> {
    const row = indexerSourcesToRow(sources, secrets);
    await trx
      .insertInto('settings')
      .values(row)
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: row.value }))
      .execute();
  }

  async function writeRow(trx: Db, row: Insertable<IndexersTable>): Promise<void> {
    await trx
      .updateTable('indexers')
      .set({
        name: row.name,
        type: row.type,
        protocol: row.protocol,
        base_url: row.base_url ?? null,
        encrypted_api_key: row.encrypted_api_key ?? null,
        enabled: row.enabled,
        priority: row.priority ?? null,
        position: row.position,
        config: row.config ?? null,
      })
      .where('id', '=', row.id)
      .execute();
  }

  return {
    /** The whole document, apiKeys decrypted (plaintext in memory only). */
    async get(): Promise<IndexersDocument> {
      const [sources, indexers] = await Promise.all([sourcesIn(db), listIn(db)]);
      return { ...sources, indexers };
    },

    async getSources(): Promise<IndexerSources> {
      return sourcesIn(db);
    },

    async listIndexers(): Promise<IndexerConfig[]> {
      return listIn(db);
    },

    async saveSources(sources: IndexerSources): Promise<void> {
      await putSources(db, sources);
    },

    /** Appends a new entry (after the last position). */
    async addIndexer(indexer: IndexerConfig): Promise<void> {
      await inTransaction(async (trx) => {
        await trx
          .insertInto('indexers')
          .values(indexerToRow(indexer, secrets, await nextPosition(trx)))
          .execute();
      });
    },

    async patchIndexer(id: string, patch: IndexerPatch): Promise<IndexerConfig | undefined> {
      return inTransaction(async (trx) => {
        const row = await trx
          .selectFrom('indexers')
          .select([...publicColumns, ...secretColumns])
          .where('id', '=', id)
          .executeTakeFirst();
        if (!row) return undefined;
        const next = applyIndexerPatch(indexerFromRow(row, secrets), patch);
        await writeRow(trx, indexerToRow(next, secrets, Number(row.position)));
        return next;
      });
    },

    async removeIndexer(id: string): Promise<IndexerConfig | undefined> {
      return inTransaction(async (trx) => {
        const row = await trx
          .selectFrom('indexers')
          .select([...publicColumns, ...secretColumns])
          .where('id', '=', id)
          .executeTakeFirst();
        if (!row) return undefined;
        await trx.deleteFrom('indexers').where('id', '=', id).execute();
        return indexerFromRow(row, secrets);
      });
    },

    /** The legacy sync rule (keptBySync), then the new entries appended in their order. */
    async syncIndexers(source: SyncSource, entries: IndexerConfig[]): Promise<void> {
      const newIds = new Set(entries.map((e) => e.id));
      await inTransaction(async (trx) => {
        const rows = await trx.selectFrom('indexers').select(['id', 'type']).execute();
        const drop = rows.filter((r) => !keptBySync(source, r, newIds)).map((r) => r.id);
        for (let i = 0; i < drop.length; i += 500)
          await trx
            .deleteFrom('indexers')
            .where('id', 'in', drop.slice(i, i + 500))
            .execute();
        let position = await nextPosition(trx);
        for (const e of entries)
          await trx
            .insertInto('indexers')
            .values(indexerToRow(e, secrets, position++))
            .execute();
      });
    },

    /** Replaces everything (importer, tests): sources row + entries in array order. */
    async replaceDocument(doc: IndexersDocument): Promise<void> {
      const { indexers, ...sources } = doc;
      await inTransaction(async (trx) => {
        await trx.deleteFrom('indexers').execute();
        await putSources(trx, sources);
        let position = 0;
        for (const e of indexers)
          await trx
            .insertInto('indexers')
            .values(indexerToRow(e, secrets, position++))
            .execute();
      });
    },
  };
}

export type IndexersSql = ReturnType<typeof createIndexersSql>;
