import { type ExpressionBuilder, type Insertable, type Kysely, sql, type Transaction } from 'kysely';
import { cachedCounts } from '../db/cached-counts.js';
import type { Engine } from '../db/dialect.js';
import type { DB, GrabsTable } from '../db/schema.js';
import { type GrabRow, grabFromRow, grabToRow } from './grabs.codec.js';
import { type GrabEntry, type GrabOrderCursor, type GrabRecord, type GrabsPage, type GrabTimeCursor, isInFlight } from './grabs.types.js';

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

/** A queue test's result as either engine returns it (true/false/null, 1/0/null): NULL is not in the queue, as in a count. */
const queued = (v: unknown) => Number(v) === 1;

export function createGrabsSql(db: Db, engine: Engine) {
  // Counted once (the queue's count reads every grab row: 21 ms at 1M), then kept exact by the
  // puts of this process (put: +1 for a new key, the queue moved by the record's change) until a
  // write it cannot follow (the importer's rows, a put that lost a race) drops both.
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
   * Returns whether the row is in the queue now, and on PostgreSQL whether it was inserted.
   */
  async function upsert(trx: Db, row: Insertable<GrabsTable>, position: 'append' | 'given'): Promise<{ queued: unknown; inserted?: unknown } | undefined> {
    return await trx
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
      .$if(position === 'append', (q) =>
        q.returning((eb) => [inQueue(eb).as('queued'), ...(engine === 'postgres' ? [sql<boolean>`xmax = 0`.as('inserted')] : [])]),
      )
      .executeTakeFirst()
      .then((r) => r as { queued: unknown; inserted?: unknown } | undefined);
  }

  /**
   * A put and how it moved the kept counts: the key's queue state before it (read in the same
   * unit: on PostgreSQL a transaction that locks the row; on SQLite the handle's one connection,
   * held, so no other statement of this process runs between; another process's commit moves
   * data_version, which drops the counts anyway) and after it. On PostgreSQL a key that was absent
   * before but not inserted (another writer inserted it meanwhile) drops the counts instead.
   */
  async function putCounted(row: Insertable<GrabsTable>): Promise<Record<string, number> | 'drop'> {
    const run = async (c: Db) => {
      const before = await c
        .selectFrom('grabs')
        .select((eb) => inQueue(eb).as('queued'))
        .where('key', '=', row.key as string)
        .$if(engine === 'postgres', (q) => q.forUpdate())
        .executeTakeFirst();
      const after = await upsert(c, row, 'append');
      if (!after) return 'drop' as const;
      if (engine === 'postgres' && !before && after.inserted !== true) return 'drop' as const;
      return { all: before ? 0 : 1, queue: (queued(after.queued) ? 1 : 0) - (before && queued(before.queued) ? 1 : 0) };
    };
    if (db.isTransaction) return run(db);
    const k = db as Kysely<DB>;
    return engine === 'postgres' ? k.transaction().execute(run) : k.connection().execute(run);
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
        () => putCounted(grabToRow(key, record, 0)),
        (moved) => moved,
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

    /**
     * The database keeps only rows that can be in flight (a grab's `downloadId` and `state` live
     * in `extra`), so the legacy history's rows are never read; the record test then decides
     * exactly (a `state` the SQL keeps, e.g. `["imported"]`, may still be final to it).
     */
    async listInFlight(): Promise<GrabEntry[]> {
      const rows = await db
        .selectFrom('grabs')
        .select(columns)
        .where('ok', '=', true)
        .where('client', 'is not', null)
        .where(engine === 'postgres' ? sql<boolean>`jsonb_typeof(extra -> 'downloadId') = 'string'` : sql<boolean>`json_type(extra, '$.downloadId') = 'text'`)
        .where(
          engine === 'postgres'
            ? sql<boolean>`coalesce(extra ->> 'state', '') not in ('imported', 'failed')`
            : sql<boolean>`coalesce(json_extract(extra, '$.state'), '') not in ('imported', 'failed')`,
        )
        .orderBy('position')
        .orderBy('key')
        .execute();
      return rows.map((row) => ({ key: row.key, record: grabFromRow(row) })).filter((e) => isInFlight(e.record));
    },
  };
}

export type GrabsSql = ReturnType<typeof createGrabsSql>;
