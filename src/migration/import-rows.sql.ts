/**
 * The per-domain row writers of the import (users, wanted, grabs, settings, ...): read, delete and
 * insert rows of a target table, relink items, count. Table and column names come from the
 * legacy-files registry, never from input.
 */
import { CompiledQuery, sql } from 'kysely';
import type { AnyDb, BatchWriter, Row } from './import-batch.sql.js';
import { BATCH_ROWS } from './import-batch.sql.js';
import type { TargetTable } from './legacy-files.js';

export function createImportRowsSql(db: AnyDb, batch: BatchWriter) {
  const ident = (name: string) => sql.ref(name);
  return {
    /** Every row of a target (small tables only; settings: the one key it owns). */
    async selectRows(table: TargetTable, columns: readonly string[], scope?: string, orderBy?: string): Promise<Row[]> {
      let q = db.selectFrom(table).select(columns as string[]);
      if (scope !== undefined) q = q.where('key', '=', scope);
      if (orderBy) q = q.orderBy(orderBy);
      return (await q.execute()) as Row[];
    },

    /**
     * The rows of a target whose key column is one of `keys` (at most BATCH_ROWS of them), by a
     * statement text built once per shape (the read-back asks this for every batch of a keyed file).
     */
    async selectRowsByKeys(table: TargetTable, columns: readonly string[], keyColumn: string, keys: string[]): Promise<Row[]> {
      if (keys.length === 0) return [];
      return (await db.executeQuery(CompiledQuery.raw(batch.selectByKeysText(table, columns, keyColumn, keys.length), keys))).rows as Row[];
    },

    /** Every key of a table (its key column only). */
    async keysOf(table: TargetTable, keyColumn: string): Promise<string[]> {
      const rows = (await db.selectFrom(table).select(keyColumn).execute()) as Row[];
      return rows.map((r) => String(r[keyColumn]));
    },

    /** created_at of the rows that will be rewritten (kept across a delete + insert). */
    async createdAt(table: TargetTable, keyColumn: string, keys: string[]): Promise<Map<string, string>> {
      const out = new Map<string, string>();
      for (let i = 0; i < keys.length; i += BATCH_ROWS) {
        const rows = await db
          .selectFrom(table)
          .select([keyColumn, 'created_at'])
          .where(keyColumn, 'in', keys.slice(i, i + BATCH_ROWS))
          .execute();
        for (const r of rows as Row[]) out.set(String(r[keyColumn]), String(r.created_at));
      }
      return out;
    },

    async deleteKeys(table: TargetTable, keyColumn: string, keys: string[]): Promise<void> {
      for (let i = 0; i < keys.length; i += BATCH_ROWS) {
        await db
          .deleteFrom(table)
          .where(keyColumn, 'in', keys.slice(i, i + BATCH_ROWS))
          .execute();
      }
    },

    insertRows: batch.insertBatched,

    /** Sets library_item_id of wanted/grabs/verify rows to the library item their item id names (or NULL). */
    async relink(): Promise<void> {
      for (const table of ['wanted_items', 'grabs', 'verify_results']) {
        await sql`update ${ident(table)} set library_item_id = (select l.id from library_items l where l.id = ${ident(table)}.item_id)
          where library_item_id is distinct from (select l.id from library_items l where l.id = ${ident(table)}.item_id)`.execute(db);
      }
    },

    async countRows(table: TargetTable): Promise<number> {
      const r = await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      return Number((r as Row).n);
    },

    /** True when any legacy-backed table holds a row (then the import backs the database up first). */
    async hasData(): Promise<boolean> {
      for (const table of ['users', 'library_items', 'wanted_items', 'downloaders', 'indexers', 'quality_profiles', 'grabs', 'verify_results', 'settings']) {
        const r = await db.selectFrom(table).select(sql<number>`1`.as('one')).limit(1).executeTakeFirst();
        if (r) return true;
      }
      return false;
    },
  };
}
