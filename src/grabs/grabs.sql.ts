import type { ExpressionBuilder, Insertable, Kysely, Transaction } from 'kysely';
import { cachedCounts } from '../db/cached-counts.js';
import type { Engine } from '../db/dialect.js';
import type { DB, GrabsTable } from '../db/schema.js';
import { type GrabRow, grabFromRow, grabToRow } from './grabs.codec.js';
import type { GrabEntry, GrabOrderCursor, GrabRecord, GrabsPage, GrabTimeCursor } from './grabs.types.js';

const columns = ['key', 'kind', 'item_id', 'title', 'link', 'protocol', 'client', 'ok', 'status', 'at', 'category', 'nzb_upload', 'extra'] as const;

type Db = Kysely<DB> | Transaction<DB>;
type Row = GrabRow & { position: number };

/** In the activity queue: `ok === true` or `status === "queued"` (a JSON column: its text on both engines). */
const inQueue = (eb: ExpressionBuilder<DB, 'grabs'>) => eb.or([eb('ok', '=', true), eb(eb.cast('status', 'text'), '=', JSON.stringify('queued'))]);

/** The first `limit` rows as entries, and `cursorOf` the last one when a further row was read. */
function pageOf<C>(rows: Row[], limit: number, cursorOf: (r: Row) => C): GrabsPage<C> {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { entries: page.map((row) => ({ key: row.key, record: grabFromRow(row) })), next: rows.length > limit && last ? cursorOf(last) : null };
}

/** The grabs' name in db/cached-counts.ts: `all` (the history's total) and `queue` (the activity queue's). */
export const GRABS_COUNTS = 'grabs';

export function createGrabsSql(db: Db, engine: Engine) {
  // Counted once (the queue's count reads every grab row: 21 ms at 1M), kept until a grab is
  // written: a put may insert or replace and move a record in or out of the queue, so it drops
  // both counts (grabs are written at the rate of grabs and download state changes, pages are read far more).
  const counts = cachedCounts(db, engine, GRABS_COUNTS);
  const countWhere = async (queueOnly: boolean) => {
    const r = await db
      .selectFrom('grabs')
      .select((eb) => eb.fn.countAll().as('n'))
      .$if(queueOnly, (q) => q.where(inQueue))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  };

  /**
   * Insert or replace by key. A replaced key keeps its position (like assigning an existing key
   * of the legacy object); a new key goes last. The library link is set when the item exists.
   */
  async function upsert(trx: Db, row: Insertable<GrabsTable>, position: 'append' | 'given'): Promise<void> {
    await trx
      .insertInto('grabs')
      .values((eb) => ({
        ...row,
        library_item_id: eb.selectFrom('library_items').select('id').where('id', '=', row.item_id),
        position:
          position === 'append' ? eb.selectFrom('grabs').select((s) => s(s.fn.coalesce(s.fn.max('position'), s.lit(-1)), '+', 1).as('p')) : row.position,
      }))
      .onConflict((oc) =>
        oc.column('key').doUpdateSet((eb) => ({
          kind: eb.ref('excluded.kind'),
          item_id: eb.ref('excluded.item_id'),
          library_item_id: eb.ref('excluded.library_item_id'),
          title: eb.ref('excluded.title'),
          link: eb.ref('excluded.link'),
          protocol: eb.ref('excluded.protocol'),
          client: eb.ref('excluded.client'),
          ok: eb.ref('excluded.ok'),
          status: eb.ref('excluded.status'),
          at: eb.ref('excluded.at'),
          category: eb.ref('excluded.category'),
          nzb_upload: eb.ref('excluded.nzb_upload'),
          extra: eb.ref('excluded.extra'),
          ...(position === 'append' ? {} : { position: eb.ref('excluded.position') }),
        })),
      )
      .execute();
  }

  return {
    async get(key: string): Promise<GrabRecord | undefined> {
      const row = await db.selectFrom('grabs').select(columns).where('key', '=', key).executeTakeFirst();
      return row ? grabFromRow(row) : undefined;
    },

    /** Every record in file order. */
    async list(): Promise<GrabEntry[]> {
      const rows = await db.selectFrom('grabs').select(columns).orderBy('position').orderBy('key').execute();
      return rows.map((row) => ({ key: row.key, record: grabFromRow(row) }));
    },

    async put(key: string, record: GrabRecord): Promise<void> {
      await counts.write(
        () => upsert(db, grabToRow(key, record, 0), 'append'),
        () => 'drop',
      );
    },

    /** For the importer: rows built with grabToRow (their positions are kept). */
    async insertRows(rows: Insertable<GrabsTable>[]): Promise<void> {
      const run = async (trx: Db) => {
        for (const row of rows) await upsert(trx, row, 'given');
      };
      await counts.write(
        () => (db.isTransaction ? run(db) : (db as Kysely<DB>).transaction().execute(run)),
        () => 'drop',
      );
    },

    async count(): Promise<number> {
      return counts.read('all', () => countWhere(false));
    },

    /**
     * Newest first by (at, key) descending on idx_grabs_at_key (walked backwards, no sort), one row
     * more than the page to know whether another follows; then the records without a time, by key.
     */
    async historyPage(after: GrabTimeCursor | null, limit: number): Promise<GrabsPage<GrabTimeCursor>> {
      const rows: Row[] = [];
      if (after?.at !== null) {
        const timed = await db
          .selectFrom('grabs')
          .select([...columns, 'position'])
          .where('at', 'is not', null)
          .$if(after !== null, (q) => q.where((eb) => eb(eb.refTuple('at', 'key'), '<', eb.tuple(after!.at!, after!.key))))
          .orderBy('at', 'desc')
          .orderBy('key', 'desc')
          .limit(limit + 1)
          .execute();
        rows.push(...timed);
      }
      if (rows.length <= limit) {
        const untimed = await db
          .selectFrom('grabs')
          .select([...columns, 'position'])
          .where('at', 'is', null)
          .$if(after?.at === null, (q) => q.where('key', '<', after!.key))
          .orderBy('key', 'desc')
          .limit(limit + 1 - rows.length)
          .execute();
        rows.push(...untimed);
      }
      return pageOf(rows, limit, (r) => ({ at: r.at, key: r.key }));
    },

    /** File order by (position, key) on idx_grabs_position, skipping the records not in the queue. */
    async queuePage(after: GrabOrderCursor | null, limit: number): Promise<GrabsPage<GrabOrderCursor>> {
      const rows = await db
        .selectFrom('grabs')
        .select([...columns, 'position'])
        .where(inQueue)
        .$if(after !== null, (q) => q.where((eb) => eb(eb.refTuple('position', 'key'), '>', eb.tuple(after!.position, after!.key))))
        .orderBy('position')
        .orderBy('key')
        .limit(limit + 1)
        .execute();
      return pageOf(rows, limit, (r) => ({ position: r.position, key: r.key }));
    },

    async countQueue(): Promise<number> {
      return counts.read('queue', () => countWhere(true));
    },
  };
}

export type GrabsSql = ReturnType<typeof createGrabsSql>;
