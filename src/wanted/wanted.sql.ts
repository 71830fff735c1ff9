/** All SQL of the wanted domain (identical on SQLite and PostgreSQL). */
import { type Kysely, sql, type Transaction } from 'kysely';
import { cachedCounts } from '../db/cached-counts.js';
import { compileOnce } from '../db/compiled.js';
import type { Engine } from '../db/dialect.js';
import type { DB } from '../db/schema.js';
import { Invalid } from '../errors.js';
import { WANTED_ITEM_COLUMNS, type WantedRow, wantedItemFromRow, wantedItemToRow } from './wanted.codec.js';
import type { WantedAutomationFields, WantedBatch, WantedItem, WantedScanUpdate } from './wanted.types.js';

type Db = Kysely<DB> | Transaction<DB>;

/** The wanted list's name in db/cached-counts.ts (other writers of the table drop it by this name). */
export const WANTED_COUNTS = 'wanted_items';

export function createWantedSql(db: Db, engine: Engine) {
  const cols = [...WANTED_ITEM_COLUMNS];
  // The list's size is every page's and every paged write's `total`: kept, and moved by our own writes.
  const counts = cachedCounts(db, engine, WANTED_COUNTS);
  const countNow = async () => {
    const r = await db
      .selectFrom('wanted_items')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  };
  const toItem = (row: WantedRow) => wantedItemFromRow(row);
  // The API's add: one statement of one shape, built and compiled once (and on PostgreSQL planned
  // once per connection). Appends after the last position; links the library item of that id.
  const insertOne = compileOnce(db as Kysely<DB>, 8, (slot) =>
    db
      .insertInto('wanted_items')
      .values({
        id: slot<string>(0),
        library_item_id: (eb) => eb.selectFrom('library_items').select('id').where('id', '=', slot<string>(1)),
        item_id: slot<string>(1),
        title: slot<string>(2),
        kind: slot<string>(3),
        last_search_at: slot<string | null>(4),
        last_scan: slot<string | null>(5),
        added_at: slot<string>(6),
        position: (eb) => eb.selectFrom('wanted_items').select(sql<number>`coalesce(max(position), -1) + 1`.as('p')),
        metadata: slot<string | null>(7),
      })
      .onConflict((oc) => oc.doNothing())
      .returning('id'),
  );

  async function inTransaction<R>(fn: (trx: Db) => Promise<R>): Promise<R> {
    return db.isTransaction ? fn(db) : (db as Kysely<DB>).transaction().execute(fn);
  }

  return {
    /** Legacy array order. */
    async list(): Promise<WantedItem[]> {
      const rows = await db.selectFrom('wanted_items').select(cols).orderBy('position').orderBy('id').execute();
      return rows.map(toItem);
    },

    /** Keyset over (position, row id): the cursor is `<position>:<row id>` of the last item. */
    async listBatch(after: string | null, limit: number): Promise<WantedBatch> {
      let query = db.selectFrom('wanted_items').select([...cols, 'position', 'id']);
      if (after !== null) {
        const cut = after.indexOf(':');
        const position = Number(after.slice(0, cut));
        if (cut < 1 || !Number.isSafeInteger(position)) throw new Invalid('cursor: not a cursor of the wanted list');
        query = query.where((eb) => eb(eb.refTuple('position', 'id'), '>', eb.tuple(position, after.slice(cut + 1))));
      }
      const rows = await query.orderBy('position').orderBy('id').limit(limit).execute();
      const last = rows[rows.length - 1];
      return { items: rows.map(toItem), next: rows.length === limit && last ? `${last.position}:${last.id}` : null };
    },

    /**
     * Keyset over (last search time or '', row id): the cursor is `<time>|<row id>` of the last item
     * (row ids are hex). Both are the columns of idx_wanted_search_age (migration 0012): the leading
     * `>=` starts each batch where the last one ended instead of sorting the whole list again.
     */
    async listBySearchAge(after: string | null, limit: number): Promise<WantedBatch> {
      const searchedAt = sql<string>`coalesce(last_search_at, '')`;
      let query = db.selectFrom('wanted_items').select([...cols, 'id', searchedAt.as('searched_at')]);
      if (after !== null) {
        const cut = after.lastIndexOf('|');
        if (cut < 0) throw new Invalid('cursor: not a cursor of the wanted list by search age');
        const at = after.slice(0, cut);
        const rowId = after.slice(cut + 1);
        query = query.where(searchedAt, '>=', at).where((eb) => eb.or([eb(searchedAt, '>', at), eb('id', '>', rowId)]));
      }
      const rows = await query.orderBy(searchedAt).orderBy('id').limit(limit).execute();
      const last = rows[rows.length - 1];
      return { items: rows.map(toItem), next: rows.length === limit && last ? `${last.searched_at}|${last.id}` : null };
    },

    /** Exact: counted once, then moved by this process's writes (db/cached-counts.ts). */
    async count(): Promise<number> {
      return counts.read('all', countNow);
    },

    /**
     * Appends unless (kind, id) is already wanted (then false: legacy dedupe keeps the old entry).
     * The link to the library is set when a library item with that id exists.
     */
    async add(item: WantedItem): Promise<boolean> {
      const r = wantedItemToRow(item);
      const values = [r.id, r.item_id, r.title, r.kind, r.last_search_at, r.last_scan, r.added_at, r.metadata];
      const inserted = await counts.write(
        async () => (await insertOne(values)).rows[0],
        (row) => ({ all: row === undefined ? 0 : 1 }),
      );
      return inserted !== undefined;
    },

    async remove(kind: string, id: string): Promise<boolean> {
      const remove = () => db.deleteFrom('wanted_items').where('kind', '=', kind).where('item_id', '=', id).executeTakeFirst();
      const r = await counts.write(remove, (res) => ({ all: -Number(res.numDeletedRows) }));
      return Number(r.numDeletedRows) > 0;
    },

    /** Writes `lastScan` on each listed item that still exists (the rest of the record unchanged). */
    async recordScans(updates: WantedScanUpdate[]): Promise<void> {
      if (updates.length === 0) return;
      await inTransaction(async (trx) => {
        for (const u of updates) {
          const row = await trx.selectFrom('wanted_items').select(cols).where('kind', '=', u.kind).where('item_id', '=', u.id).executeTakeFirst();
          if (!row) continue;
          const next = { ...toItem(row), lastScan: u.lastScan };
          const r = wantedItemToRow(next);
          await trx
            .updateTable('wanted_items')
            .set({ last_scan: r.last_scan, last_search_at: r.last_search_at, metadata: r.metadata, added_at: r.added_at })
            .where('kind', '=', u.kind)
            .where('item_id', '=', u.id)
            .execute();
        }
      });
    },

    async get(kind: string, id: string): Promise<WantedItem | undefined> {
      const row = await db.selectFrom('wanted_items').select(cols).where('kind', '=', kind).where('item_id', '=', id).executeTakeFirst();
      return row ? toItem(row) : undefined;
    },

    /** Merges the fields into the item's JSON data (read and write in one transaction). */
    async update(kind: string, id: string, fields: WantedAutomationFields): Promise<boolean> {
      return inTransaction(async (trx) => {
        const row = await trx.selectFrom('wanted_items').select(cols).where('kind', '=', kind).where('item_id', '=', id).executeTakeFirst();
        if (!row) return false;
        const r = wantedItemToRow({ ...toItem(row), ...fields });
        await trx.updateTable('wanted_items').set({ metadata: r.metadata }).where('kind', '=', kind).where('item_id', '=', id).execute();
        return true;
      });
    },

    /**
     * Sets `library_item_id` on every wanted row whose item id names an existing library item
     * and that has no link yet (for the importer, after library and wanted rows are in).
     */
    async linkToLibrary(): Promise<number> {
      const r = await db
        .updateTable('wanted_items')
        .set((eb) => ({ library_item_id: eb.ref('item_id') }))
        .where('library_item_id', 'is', null)
        .where((eb) => eb.exists(eb.selectFrom('library_items').select('library_items.seq').whereRef('library_items.id', '=', 'wanted_items.item_id')))
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
  };
}

export type WantedSql = ReturnType<typeof createWantedSql>;
