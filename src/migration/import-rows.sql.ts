/**
 * The per-domain row writers of the import (users, wanted, grabs, settings, ...): read, delete and
 * insert rows of a target table, relink items, count. Table and column names come from the
 * legacy-files registry, never from input.
 */
import { CompiledQuery, sql } from 'kysely';
import type { AnyDb, BatchWriter, Row } from './import-batch.sql.js';
import { BATCH_ROWS } from './import-batch.sql.js';
import type { TargetTable } from './legacy-files.js';

/** Tables whose rows name a library item (item_id) and link to it (library_item_id, see relink). */
const LINKED_TABLES: readonly string[] = ['wanted_items', 'grabs', 'verify_results'];

export function createImportRowsSql(db: AnyDb, batch: BatchWriter) {
  const ident = (name: string) => sql.ref(name);

  /** The item ids of `rows` that library_items holds. */
  async function lookUpLibraryIds(rows: Row[]): Promise<Set<string>> {
    const ids = [...new Set(rows.flatMap((r) => (typeof r.item_id === 'string' ? [r.item_id] : [])))];
    const found = new Set<string>();
    for (let i = 0; i < ids.length; i += BATCH_ROWS) {
      const chunk = ids.slice(i, i + BATCH_ROWS);
      const r = await db.executeQuery(CompiledQuery.raw(batch.selectByKeysText('library_items', ['id'], 'id', chunk.length), chunk));
      for (const row of r.rows as Row[]) found.add(String(row.id));
    }
    return found;
  }

  /** Sets each row's library_item_id to its item_id when library_items holds that id (NULL otherwise). */
  async function linkLibraryItems(rows: Row[], found?: Promise<Set<string>>): Promise<void> {
    const ids = await (found ?? lookUpLibraryIds(rows));
    for (const r of rows) r.library_item_id = typeof r.item_id === 'string' && ids.has(r.item_id) ? r.item_id : null;
  }
  const rows = {
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

    /**
     * Inserts rows of a target; a row of a table linked to the library (LINKED_TABLES) gets the
     * library_item_id relink() would give it, from one look-up of the batch's item ids: a first
     * import then writes each such row once, where relink() rewrote nearly all of them (1M library,
     * 240k wanted/grabs/verify rows: ~6 s of PostgreSQL CPU, a second version of each row and of
     * its index entries). relink() still runs after every file and corrects any row (its look-up
     * then finds nothing to change). `libraryEmpty` (the caller knows library_items has no row: the
     * keyed files written before the library on SQLite) skips the look-up, which can find nothing
     * (1M items: 0.6 s of the import's main thread). `libraryIds`: that look-up, started ahead by
     * libraryIdsOf for these rows (or more).
     */
    async insertRows(table: TargetTable, rows: Row[], opts: { libraryEmpty?: boolean; libraryIds?: Promise<Set<string>> } = {}): Promise<void> {
      if (LINKED_TABLES.includes(table)) {
        if (opts.libraryEmpty) for (const r of rows) r.library_item_id = null;
        else await linkLibraryItems(rows, opts.libraryIds);
      }
      await batch.insertBatched(table, rows);
    },

    /**
     * For a table linked to the library: the look-up insertRows makes, started ahead (`libraryIds`;
     * the keyed files ask it for a batch while the one before is written). Undefined for other tables.
     */
    libraryIdsOf(table: TargetTable, rows: Row[]): Promise<Set<string>> | undefined {
      return LINKED_TABLES.includes(table) ? lookUpLibraryIds(rows) : undefined;
    },

    /** True when `table` holds at least one row. */
    async hasRows(table: TargetTable): Promise<boolean> {
      return (await db.selectFrom(table).select(sql<number>`1`.as('one')).limit(1).executeTakeFirst()) !== undefined;
    },

    /** Sets library_item_id of wanted/grabs/verify rows to the library item their item id names (or NULL). */
    async relink(): Promise<void> {
      for (const table of LINKED_TABLES) {
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
      for (const table of [
        'users',
        'library_items',
        'wanted_items',
        'downloaders',
        'indexers',
        'quality_profiles',
        'grabs',
        'verify_results',
        'settings',
      ] as const)
        if (await rows.hasRows(table)) return true;
      return false;
    },
  };
  return rows;
}
