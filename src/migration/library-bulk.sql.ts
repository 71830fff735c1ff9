/**
 * The library bulk load (library-import.ts, library-batches.ts) and library reads of the export and
 * verify: straight multi-row inserts into an empty library_items with its indexes set aside, the
 * collision look-ups, the savepoint and SQLite's temp_store switch.
 */
import { CompiledQuery, sql } from 'kysely';
import type { Engine } from '../db/dialect.js';
import type { CopyIn } from '../db/pg-copy.js';
import type { PgColumnType } from './digest.js';
import type { AnyDb, BatchWriter, Row } from './import-batch.sql.js';
import { BATCH_ROWS, LIBRARY_DATA_COLUMNS } from './import-batch.sql.js';

/** SQLite indexes of library_items that a bulk load keeps while rows come in created_at order. */
export const ARRIVAL_ORDER_INDEXES = ['idx_library_created_at', 'idx_library_kind_created_at'];

/** PostgreSQL types of LIBRARY_DATA_COLUMNS, in order (the `pg-rows` read-back digest). */
export const LIBRARY_DATA_PG_TYPES: readonly PgColumnType[] = LIBRARY_DATA_COLUMNS.map((c) =>
  c === 'year' || c === 'file_size' ? 'integer' : c === 'metadata' || c === 'extra' ? 'jsonb' : 'text',
);

/**
 * SQLite FTS5's pending-terms memory while the library's full-text index is rebuilt after a bulk
 * load. With its default (1 MiB) a 1M-item rebuild flushed ~1,700 small segments that its
 * automerge then merged again: 2.5 s; with 16 MiB 1.8-1.9 s for ~20 MB more resident memory, at
 * the end of the import when the parsing worker's heap is gone.
 */
const FTS_BUILD_HASH_BYTES = 16 * 2 ** 20;
const FTS5_DEFAULT_HASH_BYTES = 2 ** 20;

/**
 * SQLite: helper threads the sorter may use while the library's indexes are rebuilt after a bulk
 * load (`PRAGMA threads`, 0 by default; put back after). On a copy of the 1M database the four
 * index builds took 3.17-3.22 s with 2 against 3.93-4.05 s without (three runs each).
 */
const INDEX_BUILD_THREADS = 2;

const MAX_LIBRARY_SEQ = CompiledQuery.raw('SELECT max(seq) AS m FROM library_items', []);

/** maintenance_work_mem for the library's index builds after a bulk load (PostgreSQL's default is 64 MB). */
export const INDEX_BUILD_MEMORY_KB = 256 * 1024;

/**
 * PostgreSQL: raises maintenance_work_mem to INDEX_BUILD_MEMORY_KB for this transaction (never
 * lowers it) until restore(). With 64 MB the btree builds of a 1M-item library sort in temp files
 * and the full-text GIN build flushes its entries to the index several times.
 */
async function buildMemoryWhile(db: AnyDb): Promise<{ restore(): Promise<void> }> {
  const kb = Number(
    (await sql<{ kb: string }>`select setting as kb from pg_settings where name = 'maintenance_work_mem'`.execute(db)).rows[0]?.kb ?? INDEX_BUILD_MEMORY_KB,
  );
  if (!(kb < INDEX_BUILD_MEMORY_KB)) return { restore: async () => {} };
  await sql`select set_config('maintenance_work_mem', ${`${INDEX_BUILD_MEMORY_KB}kB`}, true)`.execute(db);
  return { restore: async () => void (await sql`select set_config('maintenance_work_mem', ${`${kb}kB`}, true)`.execute(db)) };
}

export function createLibraryBulkSql(db: AnyDb, engine: Engine, batch: BatchWriter, copyIn?: CopyIn) {
  const { insertText } = batch;
  return {
    /** A savepoint inside the import's transaction (both engines): the library bulk load, a keyed file's write pass. */
    async savepoint(name: 'library_file' | 'library_bulk' | 'keyed_file'): Promise<{ rollback(): Promise<void>; release(): Promise<void> }> {
      await sql.raw(`SAVEPOINT ${name}`).execute(db);
      return {
        rollback: async () => {
          await sql.raw(`ROLLBACK TO SAVEPOINT ${name}`).execute(db);
          await sql.raw(`RELEASE SAVEPOINT ${name}`).execute(db);
        },
        release: async () => void (await sql.raw(`RELEASE SAVEPOINT ${name}`).execute(db)),
      };
    },

    /**
     * Inserts library rows straight into library_items (empty-table import), skipping rows that
     * conflict (on id; the title index is set aside meanwhile); returns how many went in.
     */
    async insertLibraryParams(params: unknown[], count: number): Promise<number> {
      const r = await db.executeQuery(
        CompiledQuery.raw(insertText('library_items', [...LIBRARY_DATA_COLUMNS, 'created_at'], count, ' ON CONFLICT DO NOTHING'), params),
      );
      return Number(r.numAffectedRows ?? 0);
    },

    /** Whether copyLibraryParams can run (PostgreSQL inside a transaction). */
    canCopyLibrary: copyIn !== undefined && db.isTransaction,

    /**
     * PostgreSQL: COPY library rows into library_items. No conflict handling: only for rows whose
     * id and kind + title the caller knows to be new (a conflict fails the import's transaction).
     */
    async copyLibraryParams(params: unknown[], count: number): Promise<number> {
      if (!copyIn) throw new Error('COPY is for PostgreSQL transactions only');
      const columns = [...LIBRARY_DATA_COLUMNS, 'created_at'];
      return copyIn(db, 'library_items', columns, { values: params, width: columns.length, count });
    },

    /** The highest seq written (asked after every batch of a bulk load: compiled once, not built each time). */
    async maxLibrarySeq(): Promise<number> {
      const r = await db.executeQuery<Row>(MAX_LIBRARY_SEQ);
      return Number(r.rows[0]?.m ?? 0);
    },

    /** Keys of the library rows inserted after `seq` (the batch just written). */
    async libraryKeysAfter(seq: number): Promise<Row[]> {
      return (await db.selectFrom('library_items').select(['id', 'kind', 'title_lower']).where('seq', '>', seq).execute()) as Row[];
    },

    /**
     * The library item a row collides with, by id first, else by kind + title_lower; with `upToSeq`,
     * only among the items written up to that seq (earlier in file order).
     */
    async libraryHolder(row: { id: string; kind: string; title_lower: string }, upToSeq?: number): Promise<{ by: 'id' | 'title'; id: string } | undefined> {
      const upTo = <Q extends { where(c: 'seq', op: '<=', v: number): Q }>(q: Q) => (upToSeq === undefined ? q : q.where('seq', '<=', upToSeq));
      const byId = await upTo(db.selectFrom('library_items').select('id').where('id', '=', row.id)).executeTakeFirst();
      if (byId) return { by: 'id', id: row.id };
      const byTitle = await upTo(
        db.selectFrom('library_items').select('id').where('kind', '=', row.kind).where('title_lower', '=', row.title_lower),
      ).executeTakeFirst();
      return byTitle ? { by: 'title', id: String(byTitle.id) } : undefined;
    },

    /**
     * SQLite: statement journals and sorts in MEMORY (or FILE) until the returned function puts the
     * connection's previous setting back. The bulk insert uses MEMORY: each multi-row INSERT under
     * the table's constraints keeps a statement journal of the pages it touches (a few MB); in temp
     * files that was ~3 million small writes for a 1M-item library, while the import otherwise runs
     * with FILE to bound memory (index rebuilds sort there). A connection that has already opened its
     * temp database refuses the switch inside a transaction ("temporary storage cannot be changed"):
     * it then keeps its setting, which costs speed, not correctness. PostgreSQL: nothing to do.
     */
    async tempStoreWhile(mode: 'MEMORY' | 'FILE'): Promise<() => Promise<void>> {
      const none = async () => {};
      if (engine !== 'sqlite') return none;
      const previous = Number((await sql.raw<{ temp_store: number }>('PRAGMA temp_store').execute(db)).rows[0]!.temp_store);
      try {
        await sql.raw(`PRAGMA temp_store = ${mode}`).execute(db);
      } catch (err) {
        if (/temporary storage cannot be changed/.test(String((err as Error)?.message))) return none;
        throw err;
      }
      return async () => void (await sql.raw(`PRAGMA temp_store = ${previous}`).execute(db));
    },

    /**
     * Bulk-load mode for an empty library_items: drops its secondary indexes and insert triggers
     * (definitions read from the live schema) inside the import transaction; restore() recreates
     * them and rebuilds the full-text index in one pass. A rollback (or a killed process) undoes
     * both, as all of it is transactional.
     * SQLite keeps the created_at indexes (ARRIVAL_ORDER_INDEXES) while rows arrive in created_at
     * order, as legacy files list items (ids start with their creation time): each entry then
     * lands at the end of its index, which costs less than rebuilding it afterwards, on a main
     * thread that would otherwise wait for the parser. setAsideRest() drops them too, for a file
     * in another order (restore() then rebuilds them as well).
     */
    async suspendLibraryIndexes(): Promise<{ restore(): Promise<void>; setAsideRest(): Promise<void> }> {
      const run = async (text: string) => void (await sql.raw(text).execute(db));
      /** A full-text index rebuilt with FTS_BUILD_HASH_BYTES of pending terms; its own setting put back after. */
      const rebuildFts = async (name: string) => {
        const setting = (await sql.raw<{ v: unknown }>(`SELECT v FROM "${name}_config" WHERE k = 'hashsize'`).execute(db)).rows[0]?.v;
        const hashsize = (bytes: unknown) => run(`INSERT INTO ${name}(${name}, rank) VALUES ('hashsize', ${Number(bytes)})`);
        await hashsize(FTS_BUILD_HASH_BYTES);
        await run(`INSERT INTO ${name}(${name}) VALUES ('rebuild')`);
        await hashsize(setting ?? FTS5_DEFAULT_HASH_BYTES);
      };
      if (engine === 'sqlite') {
        const objects = (
          await sql<{ type: string; name: string; sql: string }>`select type, name, sql from sqlite_master
          where tbl_name = 'library_items' and sql is not null and (type = 'index' or (type = 'trigger' and upper(sql) like '%AFTER INSERT ON LIBRARY_ITEMS%'))`.execute(
            db,
          )
        ).rows;
        const fts = (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and sql like '%content=''library_items''%'`.execute(db))
          .rows;
        const kept = objects.filter((o) => o.type === 'index' && ARRIVAL_ORDER_INDEXES.includes(o.name));
        const aside = objects.filter((o) => !kept.includes(o));
        const drop = async (list: typeof objects) => {
          for (const o of list) await run(`DROP ${o.type === 'index' ? 'INDEX' : 'TRIGGER'} ${o.name}`);
        };
        await drop(aside);
        return {
          setAsideRest: async () => {
            await drop(kept);
            aside.push(...kept.splice(0));
          },
          restore: async () => {
            // the index builds sort with helper threads (SQLite's sorter; nothing else runs meanwhile)
            const threads = Number((await sql.raw<{ threads: number }>('PRAGMA threads').execute(db)).rows[0]?.threads ?? 0);
            if (threads < INDEX_BUILD_THREADS) await run(`PRAGMA threads = ${INDEX_BUILD_THREADS}`);
            try {
              for (const o of aside) await run(o.sql);
            } finally {
              if (threads < INDEX_BUILD_THREADS) await run(`PRAGMA threads = ${threads}`);
            }
            for (const f of fts) await rebuildFts(f.name);
          },
        };
      }
      const indexes = (
        await sql<{ indexname: string; indexdef: string }>`select indexname, indexdef from pg_indexes
        where schemaname = current_schema() and tablename = 'library_items'
          and indexname not in (select conname from pg_constraint where conrelid = 'library_items'::regclass)`.execute(db)
      ).rows;
      for (const i of indexes) await run(`DROP INDEX ${i.indexname}`);
      return {
        setAsideRest: async () => {},
        // indexdef names the schema; the table is found through search_path like every other statement
        restore: async () => {
          const setting = await buildMemoryWhile(db);
          for (const i of indexes) await run(i.indexdef.replace(/ ON (?:"?[\w$]+"?\.)?library_items /, ' ON library_items '));
          await setting.restore();
        },
      };
    },

    /** Library rows by id (for the read-back check). */
    async libraryRowsByIds(columns: readonly string[], ids: string[]): Promise<Row[]> {
      const out: Row[] = [];
      for (let i = 0; i < ids.length; i += BATCH_ROWS) {
        out.push(
          ...((await db
            .selectFrom('library_items')
            .select(columns as string[])
            .where('id', 'in', ids.slice(i, i + BATCH_ROWS))
            .execute()) as Row[]),
        );
      }
      return out;
    },

    /** Library rows in seq order after `afterSeq` (export streaming). */
    async libraryPage(columns: readonly string[], afterSeq: number, limit: number): Promise<Row[]> {
      return (await db
        .selectFrom('library_items')
        .select([...(columns as string[]), 'seq'])
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(limit)
        .execute()) as Row[];
    },
  };
}
