/**
 * SQL of the quarantine review (identical for SQLite and PostgreSQL): pages of import_quarantine
 * keyset by (file, locator) (its unique key), one record, its removal, and the lookups an admit
 * needs to refuse a record that would clash with a row already there. Table and column names come
 * from the legacy-files registry, never from input. Works on a Transaction too.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { AnyDb, Row } from './import-batch.sql.js';
import type { TargetTable } from './legacy-files.js';

export interface QuarantineRow {
  id: string;
  import_id: string | null;
  file: string;
  locator: string;
  reason: string;
  raw: string;
  raw_encoding: 'json' | 'base64';
  created_at: string;
}

const SUMMARY = ['id', 'import_id', 'file', 'locator', 'reason', 'raw_encoding', 'created_at'] as const;

export function createQuarantineSql(kysely: Kysely<DB>) {
  const db = kysely as unknown as AnyDb;
  return {
    /** One page in (file, locator) order after `after` (exclusive); the raw text is left out. */
    async page(limit: number, after?: { file: string; locator: string }): Promise<Omit<QuarantineRow, 'raw'>[]> {
      let q = kysely.selectFrom('import_quarantine').select(SUMMARY);
      if (after) q = q.where((eb) => eb.or([eb('file', '>', after.file), eb.and([eb('file', '=', after.file), eb('locator', '>', after.locator)])]));
      return (await q.orderBy('file').orderBy('locator').limit(limit).execute()) as Omit<QuarantineRow, 'raw'>[];
    },

    async count(): Promise<number> {
      const r = await kysely
        .selectFrom('import_quarantine')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async get(id: string): Promise<QuarantineRow | undefined> {
      return (await kysely
        .selectFrom('import_quarantine')
        .select([...SUMMARY, 'raw'])
        .where('id', '=', id)
        .executeTakeFirst()) as QuarantineRow | undefined;
    },

    async remove(id: string): Promise<boolean> {
      const r = await kysely.deleteFrom('import_quarantine').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    /** True when `table` holds a row whose `column` is `value` (settings: of `scope`). */
    async taken(table: TargetTable | 'library_items', column: string, value: unknown, scope?: string): Promise<boolean> {
      let q = db.selectFrom(table).select(column).where(column, '=', value);
      if (scope !== undefined) q = q.where('key', '=', scope);
      return (await q.limit(1).executeTakeFirst()) !== undefined;
    },

    /** The id of the library item of `kind` whose title_lower is `titleLower`, if any. */
    async libraryTitleHolder(kind: string, titleLower: string): Promise<string | undefined> {
      const r = await kysely
        .selectFrom('library_items')
        .select('id')
        .where('kind', '=', kind as never)
        .where('title_lower', '=', titleLower)
        .executeTakeFirst();
      return r?.id;
    },

    async insert(table: TargetTable, row: Row): Promise<void> {
      await db.insertInto(table).values(row).execute();
    },
  };
}

export type QuarantineSql = ReturnType<typeof createQuarantineSql>;
