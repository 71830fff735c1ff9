/**
 * The batched-write helpers the import's SQL shares (identical for SQLite and PostgreSQL): one
 * prepared multi-row INSERT text per shape, BATCH_ROWS rows at a time.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { Engine } from '../db/dialect.js';

// biome-ignore lint/suspicious/noExplicitAny: the import writes tables named by the legacy-files registry
export type AnyDb = Kysely<any>;
export type Row = Record<string, unknown>;

/** Rows per multi-row INSERT: well under both engines' bind-parameter limits for our widest row. */
export const BATCH_ROWS = 500;

/** Library columns written by the import (created_at only for new rows; seq/updated_at are the database's). */
export const LIBRARY_DATA_COLUMNS = [
  'id',
  'kind',
  'title',
  'title_lower',
  'search_text',
  'poster_url',
  'background_url',
  'year',
  'quality',
  'source',
  'file_path',
  'file_size',
  'metadata',
  'extra',
] as const;

export function createBatchWriter(db: AnyDb, engine: Engine) {
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

  return {
    insertText,

    /** Multi-row inserts of `rows` (the values of `columns`, in order), BATCH_ROWS at a time. */
    async bulkInsert(table: string, columns: readonly string[], rows: Row[], suffix = ''): Promise<Row[]> {
      const out: Row[] = [];
      for (let i = 0; i < rows.length; i += BATCH_ROWS) {
        const chunk = rows.slice(i, i + BATCH_ROWS);
        const params: unknown[] = [];
        for (const r of chunk) for (const c of columns) params.push(r[c] ?? null);
        const result = await db.executeQuery(CompiledQuery.raw(insertText(table, columns, chunk.length, suffix), params));
        for (const r of result.rows as Row[]) out.push(r);
      }
      return out;
    },

    /**
     * Rows grouped by their set of columns first: in a multi-row insert SQLite would store NULL (not
     * the column default) for a column that only some rows set.
     */
    async insertBatched(table: string, rows: Row[]): Promise<void> {
      const groups = new Map<string, Row[]>();
      for (const r of rows) {
        const k = Object.keys(r).sort().join(',');
        const g = groups.get(k);
        if (g) g.push(r);
        else groups.set(k, [r]);
      }
      for (const group of groups.values()) {
        for (let i = 0; i < group.length; i += BATCH_ROWS) {
          await db
            .insertInto(table)
            .values(group.slice(i, i + BATCH_ROWS))
            .execute();
        }
      }
    },
  };
}

export type BatchWriter = ReturnType<typeof createBatchWriter>;
