/**
 * All SQL of the import, export and verify-import (identical for SQLite and PostgreSQL). Works on a
 * Transaction too. Table and column names come from the legacy-files registry, never from input.
 */
import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { ddlFor, type Engine } from '../db/dialect.js';
import type { TargetTable } from './legacy-files.js';

type AnyDb = Kysely<any>;
type Row = Record<string, unknown>;

/** Rows per multi-row INSERT: well under both engines' bind-parameter limits for our widest row. */
export const BATCH_ROWS = 500;

/** SQLite indexes of library_items that a bulk load keeps while rows come in created_at order. */
export const ARRIVAL_ORDER_INDEXES = ['idx_library_created_at', 'idx_library_kind_created_at'];

export const STAGE_TABLE = 'import_stage_library';

/** Library columns written by the import (created_at only for new rows; seq/updated_at are the database's). */
export const LIBRARY_DATA_COLUMNS = [
  'id', 'kind', 'title', 'title_lower', 'search_text', 'poster_url', 'background_url', 'year', 'quality', 'source', 'file_path', 'file_size', 'metadata', 'extra',
] as const;

export function createImportSql(kysely: Kysely<DB>, engine: Engine) {
  const db = kysely as unknown as AnyDb;
  const ident = (name: string) => sql.ref(name);

  const statements = new Map<string, string>();
  /** One multi-row INSERT text per (table, columns, row count), built once and prepared by the driver. */
  function insertText(table: string, columns: readonly string[], count: number, suffix: string): string {
    const cacheKey = `${table}|${columns.join(',')}|${count}|${suffix}`;
    let text = statements.get(cacheKey);
    if (text === undefined) {
      let n = 0;
      const tuple = () => `(${columns.map(() => (engine === 'postgres' ? `$${++n}` : '?')).join(', ')})`;
      const tuples: string[] = [];
      for (let i = 0; i < count; i++) tuples.push(tuple());
      text = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}${suffix}`;
      statements.set(cacheKey, text);
    }
    return text;
  }

  /** Multi-row inserts of `rows` (the values of `columns`, in order), BATCH_ROWS at a time. */
  async function bulkInsert(table: string, columns: readonly string[], rows: Row[], suffix = ''): Promise<Row[]> {
    const out: Row[] = [];
    for (let i = 0; i < rows.length; i += BATCH_ROWS) {
      const chunk = rows.slice(i, i + BATCH_ROWS);
      const params: unknown[] = [];
      for (const r of chunk) for (const c of columns) params.push(r[c] ?? null);
      const result = await db.executeQuery(CompiledQuery.raw(insertText(table, columns, chunk.length, suffix), params));
      for (const r of result.rows as Row[]) out.push(r);
    }
    return out;
  }

  /**
   * Rows grouped by their set of columns first: in a multi-row insert SQLite would store NULL (not
   * the column default) for a column that only some rows set.
   */
  /** One multi-row INSERT of already flattened parameters (`count` rows). */
  async function insertFlat(table: string, columns: readonly string[], params: unknown[], count: number, suffix = ''): Promise<Row[]> {
    const result = await db.executeQuery(CompiledQuery.raw(insertText(table, columns, count, suffix), params));
    return result.rows as Row[];
  }

  async function insertBatched(table: string, rows: Row[]): Promise<void> {
    const groups = new Map<string, Row[]>();
    for (const r of rows) {
      const k = Object.keys(r).sort().join(',');
      const g = groups.get(k);
      if (g) g.push(r);
      else groups.set(k, [r]);
    }
    for (const group of groups.values()) {
      for (let i = 0; i < group.length; i += BATCH_ROWS) {
        await db.insertInto(table).values(group.slice(i, i + BATCH_ROWS)).execute();
      }
    }
  }

  return {
    engine,

    /** Every row of a target (small tables only; settings: the one key it owns). */
    async selectRows(table: TargetTable, columns: readonly string[], scope?: string, orderBy?: string): Promise<Row[]> {
      let q = db.selectFrom(table).select(columns as string[]);
      if (scope !== undefined) q = q.where('key', '=', scope);
      if (orderBy) q = q.orderBy(orderBy);
      return (await q.execute()) as Row[];
    },

    /** created_at of the rows that will be rewritten (kept across a delete + insert). */
    async createdAt(table: TargetTable, keyColumn: string, keys: string[]): Promise<Map<string, string>> {
      const out = new Map<string, string>();
      for (let i = 0; i < keys.length; i += BATCH_ROWS) {
        const rows = await db.selectFrom(table).select([keyColumn, 'created_at']).where(keyColumn, 'in', keys.slice(i, i + BATCH_ROWS)).execute();
        for (const r of rows as Row[]) out.set(String(r[keyColumn]), String(r.created_at));
      }
      return out;
    },

    async deleteKeys(table: TargetTable, keyColumn: string, keys: string[]): Promise<void> {
      for (let i = 0; i < keys.length; i += BATCH_ROWS) {
        await db.deleteFrom(table).where(keyColumn, 'in', keys.slice(i, i + BATCH_ROWS)).execute();
      }
    },

    insertRows: insertBatched,

    /** Sets library_item_id of wanted/grabs/verify rows to the library item their item id names (or NULL). */
    async relink(): Promise<void> {
      for (const table of ['wanted_items', 'grabs', 'verify_results']) {
        await sql`update ${ident(table)} set library_item_id = (select l.id from library_items l where l.id = ${ident(table)}.item_id)
          where library_item_id is distinct from (select l.id from library_items l where l.id = ${ident(table)}.item_id)`.execute(db);
      }
    },

    async countRows(table: TargetTable): Promise<number> {
      const r = await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
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

    // ---- library staging (see library-import.ts) ----

    async createStage(): Promise<void> {
      const d = ddlFor(engine);
      await sql.raw(`DROP TABLE IF EXISTS ${STAGE_TABLE}`).execute(db);
      await sql.raw(`CREATE TABLE ${STAGE_TABLE} (
        pos ${d.bigint} PRIMARY KEY, id TEXT NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL, title_lower TEXT NOT NULL,
        search_text TEXT NOT NULL, poster_url TEXT, background_url TEXT, year INTEGER, quality TEXT, source TEXT, file_path TEXT,
        file_size ${d.bigint}, ${d.json('metadata')}, ${d.json('extra')}, created_at TEXT NOT NULL, bound ${d.bigint})`).execute(db);
    },

    /** Staged rows the bulk load set aside, each with `bound`: the last seq written before it in file order. */
    async insertStageSuspects(rows: Row[]): Promise<void> {
      await bulkInsert(STAGE_TABLE, ['pos', ...LIBRARY_DATA_COLUMNS, 'created_at', 'bound'], rows);
    },

    /** Staged rows after position `afterPos`, in file order. */
    async stagePage(afterPos: number, limit: number): Promise<Row[]> {
      return (await sql.raw(`SELECT * FROM ${STAGE_TABLE} WHERE pos > ${Number(afterPos)} ORDER BY pos LIMIT ${Number(limit)}`).execute(db)).rows as Row[];
    },

    /** A savepoint inside the import's transaction (both engines). */
    async savepoint(name: 'library_bulk'): Promise<{ rollback(): Promise<void>; release(): Promise<void> }> {
      await sql.raw(`SAVEPOINT ${name}`).execute(db);
      return {
        rollback: async () => {
          await sql.raw(`ROLLBACK TO SAVEPOINT ${name}`).execute(db);
          await sql.raw(`RELEASE SAVEPOINT ${name}`).execute(db);
        },
        release: async () => void (await sql.raw(`RELEASE SAVEPOINT ${name}`).execute(db)),
      };
    },

    async insertStage(rows: Row[]): Promise<void> {
      await bulkInsert(STAGE_TABLE, ['pos', ...LIBRARY_DATA_COLUMNS, 'created_at'], rows);
    },

    /**
     * Inserts library rows straight into library_items (empty-table import), skipping rows that
     * conflict (on id; the title index is set aside meanwhile); returns how many went in.
     */
    async insertLibraryParams(params: unknown[], count: number): Promise<number> {
      const r = await db.executeQuery(CompiledQuery.raw(insertText('library_items', [...LIBRARY_DATA_COLUMNS, 'created_at'], count, ' ON CONFLICT DO NOTHING'), params));
      return Number(r.numAffectedRows ?? 0);
    },

    async maxLibrarySeq(): Promise<number> {
      const r = await db.selectFrom('library_items').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst();
      return Number((r as Row | undefined)?.m ?? 0);
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
      const byTitle = await upTo(db.selectFrom('library_items').select('id').where('kind', '=', row.kind).where('title_lower', '=', row.title_lower)).executeTakeFirst();
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
      if (engine === 'sqlite') {
        const objects = (await sql<{ type: string; name: string; sql: string }>`select type, name, sql from sqlite_master
          where tbl_name = 'library_items' and sql is not null and (type = 'index' or (type = 'trigger' and upper(sql) like '%AFTER INSERT ON LIBRARY_ITEMS%'))`.execute(db)).rows;
        const fts = (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and sql like '%content=''library_items''%'`.execute(db)).rows;
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
            for (const o of aside) await run(o.sql);
            for (const f of fts) await run(`INSERT INTO ${f.name}(${f.name}) VALUES ('rebuild')`);
          },
        };
      }
      const indexes = (await sql<{ indexname: string; indexdef: string }>`select indexname, indexdef from pg_indexes
        where schemaname = current_schema() and tablename = 'library_items'
          and indexname not in (select conname from pg_constraint where conrelid = 'library_items'::regclass)`.execute(db)).rows;
      for (const i of indexes) await run(`DROP INDEX ${i.indexname}`);
      return {
        setAsideRest: async () => {},
        // indexdef names the schema; the table is found through search_path like every other statement
        restore: async () => {
          for (const i of indexes) await run(i.indexdef.replace(/ ON (?:"?[\w$]+"?\.)?library_items /, ' ON library_items '));
        },
      };
    },

    async indexStage(): Promise<void> {
      await sql.raw(`CREATE INDEX ${STAGE_TABLE}_id ON ${STAGE_TABLE} (id, pos)`).execute(db);
      await sql.raw(`CREATE INDEX ${STAGE_TABLE}_title ON ${STAGE_TABLE} (kind, title_lower, pos)`).execute(db);
    },

    /** Staged rows whose id, or kind + title_lower, is shared with another staged row (in file order). */
    async stageSuspects(): Promise<Row[]> {
      const r = await sql.raw(`SELECT s.* FROM ${STAGE_TABLE} s
        WHERE s.id IN (SELECT id FROM ${STAGE_TABLE} GROUP BY id HAVING COUNT(*) > 1)
           OR EXISTS (SELECT 1 FROM (SELECT kind, title_lower FROM ${STAGE_TABLE} GROUP BY kind, title_lower HAVING COUNT(*) > 1) d
                      WHERE d.kind = s.kind AND d.title_lower = s.title_lower)
        ORDER BY s.pos`).execute(db);
      return r.rows as Row[];
    },

    async deleteStagePositions(positions: number[]): Promise<void> {
      for (let i = 0; i < positions.length; i += BATCH_ROWS) {
        await db.deleteFrom(STAGE_TABLE).where('pos', 'in', positions.slice(i, i + BATCH_ROWS)).execute();
      }
    },

    async stageCount(): Promise<number> {
      const r = await sql.raw<{ n: number }>(`SELECT COUNT(*) AS n FROM ${STAGE_TABLE}`).execute(db);
      return Number(r.rows[0]!.n);
    },

    /**
     * Makes library_items equal to the stage: deletes items not staged, updates the ones that
     * differ (two steps, so two items may swap titles), inserts the new ones in file order.
     * Rows that stay keep seq and created_at.
     */
    async mergeStage(): Promise<{ deleted: number; updated: number; inserted: number }> {
      const del = await sql.raw(`DELETE FROM library_items WHERE NOT EXISTS (SELECT 1 FROM ${STAGE_TABLE} s WHERE s.id = library_items.id)`).execute(db);
      const data = LIBRARY_DATA_COLUMNS.filter((c) => c !== 'id');
      const differs = data.map((c) => `library_items.${c} IS DISTINCT FROM s.${c}`).join(' OR ');
      await sql.raw(`UPDATE library_items SET title_lower = '\u0001' || library_items.id FROM ${STAGE_TABLE} s
        WHERE s.id = library_items.id AND (library_items.kind <> s.kind OR library_items.title_lower <> s.title_lower)`).execute(db);
      const upd = await sql.raw(`UPDATE library_items SET ${data.map((c) => `${c} = s.${c}`).join(', ')} FROM ${STAGE_TABLE} s
        WHERE s.id = library_items.id AND (${differs})`).execute(db);
      const cols = [...LIBRARY_DATA_COLUMNS, 'created_at'].join(', ');
      const ins = await sql.raw(`INSERT INTO library_items (${cols}) SELECT ${cols} FROM ${STAGE_TABLE} s
        WHERE NOT EXISTS (SELECT 1 FROM library_items l WHERE l.id = s.id) ORDER BY s.pos`).execute(db);
      return {
        deleted: Number(del.numAffectedRows ?? 0),
        updated: Number(upd.numAffectedRows ?? 0),
        inserted: Number(ins.numAffectedRows ?? 0),
      };
    },

    async dropStage(): Promise<void> {
      await sql.raw(`DROP TABLE IF EXISTS ${STAGE_TABLE}`).execute(db);
    },

    /** Library rows by id (for the read-back check). */
    async libraryRowsByIds(columns: readonly string[], ids: string[]): Promise<Row[]> {
      const out: Row[] = [];
      for (let i = 0; i < ids.length; i += BATCH_ROWS) {
        out.push(...((await db.selectFrom('library_items').select(columns as string[]).where('id', 'in', ids.slice(i, i + BATCH_ROWS)).execute()) as Row[]));
      }
      return out;
    },

    /** Library rows in seq order after `afterSeq` (export streaming). */
    async libraryPage(columns: readonly string[], afterSeq: number, limit: number): Promise<Row[]> {
      return (await db.selectFrom('library_items').select([...(columns as string[]), 'seq']).where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute()) as Row[];
    },

    // ---- quarantine and runs ----

    async selectQuarantine(file?: string): Promise<{ id: string; file: string; locator: string; reason: string; raw: string; raw_encoding: 'json' | 'base64'; created_at: string }[]> {
      let q = db.selectFrom('import_quarantine').select(['id', 'file', 'locator', 'reason', 'raw', 'raw_encoding', 'created_at']);
      if (file) q = q.where('file', '=', file);
      return (await q.orderBy('file').orderBy('created_at').execute()) as never;
    },

    async deleteQuarantine(ids: string[]): Promise<void> {
      for (let i = 0; i < ids.length; i += BATCH_ROWS) await db.deleteFrom('import_quarantine').where('id', 'in', ids.slice(i, i + BATCH_ROWS)).execute();
    },

    async insertQuarantine(rows: Row[]): Promise<void> {
      await insertBatched('import_quarantine', rows);
    },

    async insertRun(row: { id: string; source_dir: string; started_at: string; finished_at: string; status: 'completed' | 'failed'; dry_run: boolean; exit_code: number; report: string }): Promise<void> {
      await db.insertInto('import_runs').values(row).execute();
    },

    async finishRun(id: string, finishedAt: string, exitCode: number, report: string): Promise<void> {
      await db.updateTable('import_runs').set({ finished_at: finishedAt, exit_code: exitCode, report }).where('id', '=', id).execute();
    },

    async lastRuns(limit: number): Promise<Row[]> {
      return (await db.selectFrom('import_runs').select(['id', 'source_dir', 'started_at', 'finished_at', 'status', 'exit_code']).orderBy('started_at', 'desc').limit(limit).execute()) as Row[];
    },
  };
}

export type ImportSql = ReturnType<typeof createImportSql>;
