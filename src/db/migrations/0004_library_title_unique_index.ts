import { type Kysely, sql } from 'kysely';
import { ddlFor, type Engine, updatedAtTrigger } from '../dialect.js';

/**
 * "One title per kind" becomes a named unique index (`ux_library_kind_title`) instead of a table
 * constraint. Same rule, same SQL errors, same query plans; but an index, unlike a constraint, can
 * be set aside while an import loads an empty library and built afterwards in one sorted pass.
 * Inserting a million rows into that index one random title at a time was the largest single cost
 * of a first import (~8 s of ~45 s here; the importer checks titles itself while the index is away).
 *
 * SQLite cannot drop a constraint, so the table is rebuilt in this transaction with its rows, seq
 * values (the full-text rowids) and created/updated times unchanged; the migrator turns foreign keys
 * off around this migration (`disableForeignKeys`) so the rows of wanted_items, grabs and
 * verify_results that point at library items are left alone, and checks them before committing.
 */
export const disableForeignKeys = true;

const COLUMNS = [
  'seq',
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
  'created_at',
  'updated_at',
].join(', ');

/**
 * The library table as 0001 made it, written out again on purpose: a migration is a frozen record
 * of one schema step, so it must not change when another migration's code does.
 */
function sqliteTable(name: string, titleConstraint: boolean): string {
  const d = ddlFor('sqlite');
  return `CREATE TABLE ${name} (
    ${d.seqPrimaryKey('seq')},
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('movie', 'series', 'music', 'book')),
    title TEXT NOT NULL,
    title_lower TEXT NOT NULL,
    search_text TEXT NOT NULL,
    poster_url TEXT,
    background_url TEXT,
    year INTEGER,
    quality TEXT,
    source TEXT,
    file_path TEXT,
    file_size ${d.bigint},
    ${d.json('metadata')},
    ${d.json('extra')},
    ${d.timestamp('created_at', { notNull: true, defaultNow: true })}, ${d.timestamp('updated_at', { notNull: true, defaultNow: true })}${titleConstraint ? ',\n    UNIQUE (kind, title_lower)' : ''}
  )`;
}

/** Everything that hangs on library_items and goes with DROP TABLE: indexes and triggers. */
function sqliteDependents(titleIndex: boolean): string[] {
  return [
    ...(titleIndex ? ['CREATE UNIQUE INDEX ux_library_kind_title ON library_items(kind, title_lower)'] : []),
    'CREATE INDEX idx_library_title ON library_items(title_lower, seq)',
    'CREATE INDEX idx_library_created_at ON library_items(created_at, seq)',
    'CREATE INDEX idx_library_kind_created_at ON library_items(kind, created_at, seq)',
    `CREATE TRIGGER library_items_fts_ai AFTER INSERT ON library_items BEGIN
      INSERT INTO library_items_fts(rowid, search_text) VALUES (NEW.seq, NEW.search_text); END`,
    `CREATE TRIGGER library_items_fts_ad AFTER DELETE ON library_items BEGIN
      INSERT INTO library_items_fts(library_items_fts, rowid, search_text) VALUES ('delete', OLD.seq, OLD.search_text); END`,
    `CREATE TRIGGER library_items_fts_au AFTER UPDATE OF search_text ON library_items BEGIN
      INSERT INTO library_items_fts(library_items_fts, rowid, search_text) VALUES ('delete', OLD.seq, OLD.search_text);
      INSERT INTO library_items_fts(rowid, search_text) VALUES (NEW.seq, NEW.search_text); END`,
    ...updatedAtTrigger(ddlFor('sqlite'), 'library_items'),
  ];
}

async function rebuildSqlite(db: Kysely<any>, titleConstraint: boolean): Promise<void> {
  const run = (s: string) => sql.raw(s).execute(db);
  await run(sqliteTable('library_items_rebuilt', titleConstraint));
  await run(`INSERT INTO library_items_rebuilt (${COLUMNS}) SELECT ${COLUMNS} FROM library_items ORDER BY seq`);
  await run('DROP TABLE library_items');
  await run('ALTER TABLE library_items_rebuilt RENAME TO library_items');
  for (const s of sqliteDependents(!titleConstraint)) await run(s);
}

export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  if (engine === 'sqlite') return rebuildSqlite(db, false);
  await sql.raw('ALTER TABLE library_items DROP CONSTRAINT library_items_kind_title_lower_key').execute(db);
  await sql.raw('CREATE UNIQUE INDEX ux_library_kind_title ON library_items(kind, title_lower)').execute(db);
}

export async function down(db: Kysely<any>, engine: Engine): Promise<void> {
  if (engine === 'sqlite') return rebuildSqlite(db, true);
  await sql.raw('DROP INDEX ux_library_kind_title').execute(db);
  await sql.raw('ALTER TABLE library_items ADD CONSTRAINT library_items_kind_title_lower_key UNIQUE (kind, title_lower)').execute(db);
}
