import { sql } from 'kysely';
import type { Database } from '../../src/db/connect.js';

/** A comparable description of the schema (tables, columns, indexes, triggers), without the migrations table. */
export async function catalog(db: Database): Promise<string[]> {
  if (db.engine === 'sqlite') {
    const r = await sql<{ type: string; name: string; sql: string | null }>`
      select type, name, sql from sqlite_master where name not like 'sqlite_%' and name <> 'schema_migrations' order by type, name`.execute(db.kysely);
    return r.rows.map((x) => `${x.type} ${x.name} ${x.sql ?? ''}`);
  }
  const cols = await sql<{ t: string; c: string; d: string; n: string; def: string | null }>`
    select table_name as t, column_name as c, data_type as d, is_nullable as n, column_default as def
    from information_schema.columns where table_schema = current_schema() and table_name <> 'schema_migrations'
    order by table_name, ordinal_position`.execute(db.kysely);
  const idx = await sql<{ i: string; d: string }>`
    select indexname as i, indexdef as d from pg_indexes where schemaname = current_schema() and tablename <> 'schema_migrations' order by indexname`.execute(
    db.kysely,
  );
  const trg = await sql<{ t: string; e: string }>`
    select trigger_name as t, event_object_table as e from information_schema.triggers where trigger_schema = current_schema() order by 1, 2`.execute(
    db.kysely,
  );
  const con = await sql<{ n: string; d: string }>`
    select conname as n, pg_get_constraintdef(c.oid) as d from pg_constraint c join pg_namespace s on s.oid = c.connamespace
    where s.nspname = current_schema() and c.conrelid::regclass::text <> 'schema_migrations' order by conname`.execute(db.kysely);
  return [
    ...cols.rows.map((x) => `column ${x.t}.${x.c} ${x.d} ${x.n} ${x.def ?? ''}`),
    ...idx.rows.map((x) => `index ${x.i} ${x.d.replace(/ ON [a-z0-9_]+\./, ' ON ')}`),
    ...trg.rows.map((x) => `trigger ${x.t} ${x.e}`),
    ...con.rows.map((x) => `constraint ${x.n} ${x.d}`),
  ];
}
