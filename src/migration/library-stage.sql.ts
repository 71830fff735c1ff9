/**
 * The library staging table of an import into a non-empty library (library-import.ts): stage the
 * file's rows, find the duplicates, then merge the stage into library_items.
 */
import { sql } from 'kysely';
import { ddlFor, type Engine } from '../db/dialect.js';
import type { AnyDb, BatchWriter, Row } from './import-batch.sql.js';
import { BATCH_ROWS, LIBRARY_DATA_COLUMNS } from './import-batch.sql.js';

export const STAGE_TABLE = 'import_stage_library';

export function createLibraryStageSql(db: AnyDb, engine: Engine, batch: BatchWriter) {
  const { bulkInsert } = batch;
  return {
    async createStage(): Promise<void> {
      const d = ddlFor(engine);
      await sql.raw(`DROP TABLE IF EXISTS ${STAGE_TABLE}`).execute(db);
      await sql
        .raw(`CREATE TABLE ${STAGE_TABLE} (
        pos ${d.bigint} PRIMARY KEY, id TEXT NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL, title_lower TEXT NOT NULL,
        search_text TEXT NOT NULL, poster_url TEXT, background_url TEXT, year INTEGER, quality TEXT, source TEXT, file_path TEXT,
        file_size ${d.bigint}, ${d.json('metadata')}, ${d.json('extra')}, created_at TEXT NOT NULL, bound ${d.bigint})`)
        .execute(db);
    },

    /** Staged rows the bulk load set aside, each with `bound`: the last seq written before it in file order. */
    async insertStageSuspects(rows: Row[]): Promise<void> {
      await bulkInsert(STAGE_TABLE, ['pos', ...LIBRARY_DATA_COLUMNS, 'created_at', 'bound'], rows);
    },

    /** Staged rows after position `afterPos`, in file order. */
    async stagePage(afterPos: number, limit: number): Promise<Row[]> {
      return (await sql.raw(`SELECT * FROM ${STAGE_TABLE} WHERE pos > ${Number(afterPos)} ORDER BY pos LIMIT ${Number(limit)}`).execute(db)).rows as Row[];
    },

    async insertStage(rows: Row[]): Promise<void> {
      await bulkInsert(STAGE_TABLE, ['pos', ...LIBRARY_DATA_COLUMNS, 'created_at'], rows);
    },

    async indexStage(): Promise<void> {
      await sql.raw(`CREATE INDEX ${STAGE_TABLE}_id ON ${STAGE_TABLE} (id, pos)`).execute(db);
      await sql.raw(`CREATE INDEX ${STAGE_TABLE}_title ON ${STAGE_TABLE} (kind, title_lower, pos)`).execute(db);
    },

    /** Staged rows whose id, or kind + title_lower, is shared with another staged row (in file order). */
    async stageSuspects(): Promise<Row[]> {
      const r = await sql
        .raw(`SELECT s.* FROM ${STAGE_TABLE} s
        WHERE s.id IN (SELECT id FROM ${STAGE_TABLE} GROUP BY id HAVING COUNT(*) > 1)
           OR EXISTS (SELECT 1 FROM (SELECT kind, title_lower FROM ${STAGE_TABLE} GROUP BY kind, title_lower HAVING COUNT(*) > 1) d
                      WHERE d.kind = s.kind AND d.title_lower = s.title_lower)
        ORDER BY s.pos`)
        .execute(db);
      return r.rows as Row[];
    },

    async deleteStagePositions(positions: number[]): Promise<void> {
      for (let i = 0; i < positions.length; i += BATCH_ROWS) {
        await db
          .deleteFrom(STAGE_TABLE)
          .where('pos', 'in', positions.slice(i, i + BATCH_ROWS))
          .execute();
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
      await sql
        .raw(`UPDATE library_items SET title_lower = '\u0001' || library_items.id FROM ${STAGE_TABLE} s
        WHERE s.id = library_items.id AND (library_items.kind <> s.kind OR library_items.title_lower <> s.title_lower)`)
        .execute(db);
      const upd = await sql
        .raw(`UPDATE library_items SET ${data.map((c) => `${c} = s.${c}`).join(', ')} FROM ${STAGE_TABLE} s
        WHERE s.id = library_items.id AND (${differs})`)
        .execute(db);
      const cols = [...LIBRARY_DATA_COLUMNS, 'created_at'].join(', ');
      const ins = await sql
        .raw(`INSERT INTO library_items (${cols}) SELECT ${cols} FROM ${STAGE_TABLE} s
        WHERE NOT EXISTS (SELECT 1 FROM library_items l WHERE l.id = s.id) ORDER BY s.pos`)
        .execute(db);
      return {
        deleted: Number(del.numAffectedRows ?? 0),
        updated: Number(upd.numAffectedRows ?? 0),
        inserted: Number(ins.numAffectedRows ?? 0),
      };
    },

    async dropStage(): Promise<void> {
      await sql.raw(`DROP TABLE IF EXISTS ${STAGE_TABLE}`).execute(db);
    },
  };
}
