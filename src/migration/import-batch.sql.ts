/**
 * The batched-write helpers the import's SQL shares (identical for SQLite and PostgreSQL): one
 * prepared multi-row INSERT text per shape, BATCH_ROWS rows at a time; on PostgreSQL inside the
 * import's transaction, COPY FROM STDIN for a batch of COPY_MIN_ROWS rows or more.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { Engine } from '../db/dialect.js';
import type { CopyIn } from '../db/pg-copy.js';

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

/**
 * Rows from which a batch goes in by COPY rather than INSERT: a COPY costs a round trip more (its
 * stream), and the small files (users, indexers...) keep the INSERTs' error messages.
 */
export const COPY_MIN_ROWS = 100;

export function createBatchWriter(db: AnyDb, engine: Engine, copyIn?: CopyIn) {
  const statements = new Map<string, string>();
  const canCopy = copyIn !== undefined && db.isTransaction;

  /**
   * COPY of `rows` (values of `columns`) when it can take them; false when not: too few rows,
   * SQLite, outside a transaction, or a value pg would send in another form than COPY text (an
   * array: pg sends a PostgreSQL array literal; a Date or a Buffer). `undefinedIsNull` false: an
   * undefined value also refuses (Kysely leaves such a column to its default, COPY cannot).
   */
  async function copied(table: string, columns: readonly string[], rows: Row[], undefinedIsNull: boolean): Promise<boolean> {
    if (!canCopy || rows.length < COPY_MIN_ROWS) return false;
    const values: unknown[] = [];
    for (const r of rows)
      for (const c of columns) {
        const v = r[c];
        if (v === undefined && !undefinedIsNull) return false;
        if (typeof v === 'object' && v !== null && (Array.isArray(v) || v instanceof Date || Buffer.isBuffer(v))) return false;
        values.push(v ?? null);
      }
    await copyIn!(db, table, columns, { values, width: columns.length, count: rows.length });
    return true;
  }
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

  /** `select <columns> from <table> where <keyColumn> in (<count> parameters)`, built once per shape. */
  function selectByKeysText(table: string, columns: readonly string[], keyColumn: string, count: number): string {
    const cacheKey = `select|${table}|${columns.join(',')}|${keyColumn}|${count}`;
    let text = statements.get(cacheKey);
    if (text === undefined) {
      const marks = Array.from({ length: count }, (_, i) => (engine === 'postgres' ? `$${i + 1}` : '?')).join(', ');
      text = `select ${columns.map((c) => `"${c}"`).join(', ')} from "${table}" where "${keyColumn}" in (${marks})`;
      statements.set(cacheKey, text);
    }
    return text;
  }

  return {
    insertText,
    selectByKeysText,

    /** Multi-row inserts of `rows` (the values of `columns`, in order), BATCH_ROWS at a time (or one COPY, without a suffix). */
    async bulkInsert(table: string, columns: readonly string[], rows: Row[], suffix = ''): Promise<Row[]> {
      const out: Row[] = [];
      if (suffix === '' && (await copied(table, columns, rows, true))) return out;
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
     * Rows grouped by their set of columns first (the keys whose value is not undefined, which a
     * row leaves to the column default, as Kysely's values() does): in a multi-row insert SQLite
     * would store NULL (not the column default) for a column that only some rows set. Each batch
     * goes in by the cached multi-row INSERT text (no query builder per batch).
     */
    async insertBatched(table: string, rows: Row[]): Promise<void> {
      const groups = new Map<string, { columns: string[]; rows: Row[] }>();
      // the set's name: its columns sorted, found once per key order (a codec's rows share one)
      const setOf = new Map<string, string>();
      for (const r of rows) {
        const columns = Object.keys(r).filter((c) => r[c] !== undefined);
        const order = columns.join(',');
        let k = setOf.get(order);
        if (k === undefined) {
          k = [...columns].sort().join(',');
          setOf.set(order, k);
        }
        const g = groups.get(k);
        if (g) g.rows.push(r);
        else groups.set(k, { columns, rows: [r] });
      }
      for (const { columns, rows: group } of groups.values()) {
        if (await copied(table, columns, group, false)) continue;
        // quoted as Kysely quotes them (a column may be named like a keyword: key, status...)
        const quoted = columns.map((c) => `"${c}"`);
        for (let i = 0; i < group.length; i += BATCH_ROWS) {
          const chunk = group.slice(i, i + BATCH_ROWS);
          const params: unknown[] = [];
          for (const r of chunk) for (const c of columns) params.push(r[c]);
          await db.executeQuery(CompiledQuery.raw(insertText(`"${table}"`, quoted, chunk.length, ''), params));
        }
      }
    },
  };
}

export type BatchWriter = ReturnType<typeof createBatchWriter>;
