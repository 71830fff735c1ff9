-- import.hasData (empty database) [1/9]
select 1 as "one"
from "users"
limit $1;

-- import.hasData (empty database) [2/9]
select 1 as "one"
from "library_items"
limit $1;

-- import.hasData (empty database) [3/9]
select 1 as "one"
from "wanted_items"
limit $1;

-- import.hasData (empty database) [4/9]
select 1 as "one"
from "downloaders"
limit $1;

-- import.hasData (empty database) [5/9]
select 1 as "one"
from "indexers"
limit $1;

-- import.hasData (empty database) [6/9]
select 1 as "one"
from "quality_profiles"
limit $1;

-- import.hasData (empty database) [7/9]
select 1 as "one"
from "grabs"
limit $1;

-- import.hasData (empty database) [8/9]
select 1 as "one"
from "verify_results"
limit $1;

-- import.hasData (empty database) [9/9]
select 1 as "one"
from "settings"
limit $1;

-- import.insertRows
INSERT INTO "users" ("id", "email", "email_lower", "password_hash", "role", "created_at",
  "updated_at", "last_login_at", "extra")
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);

-- import.selectRows
select "id", "email"
from "users"
order by "id";

-- import.selectRows (settings key)
select "key", "value"
from "settings"
where "key" = $1;

-- import.createdAt
select "id", "created_at"
from "users"
where "id" in ($1);

-- import.countRows
select count(*) as "n"
from "users";

-- import.hasRows
select 1 as "one"
from "users"
limit $1;

-- import.insertRows (a linked table) [1/2]
select "id"
from "library_items"
where "id" in ($1);

-- import.insertRows (a linked table) [2/2]
INSERT INTO "grabs" ("key", "kind", "item_id", "position", "library_item_id")
VALUES ($1, $2, $3, $4, $5);

-- import.insertRows (a linked table, library known empty: no look-up)
INSERT INTO "grabs" ("key", "kind", "item_id", "position", "library_item_id")
VALUES ($1, $2, $3, $4, $5);

-- import.deleteKeys
delete from "users"
where "id" in ($1);

-- import.relink [1/3]
update "wanted_items"
set library_item_id = (select l.id from library_items l where l.id = "wanted_items".item_id)
where library_item_id is distinct from (select l.id from library_items l where l.id = "wanted_items".item_id);

-- import.relink [2/3]
update "grabs"
set library_item_id = (select l.id from library_items l where l.id = "grabs".item_id)
where library_item_id is distinct from (select l.id from library_items l where l.id = "grabs".item_id);

-- import.relink [3/3]
update "verify_results"
set library_item_id = (select l.id from library_items l where l.id = "verify_results".item_id)
where library_item_id is distinct from (select l.id from library_items l where l.id = "verify_results".item_id);

-- import.createStage [1/2]
DROP TABLE IF EXISTS import_stage_library;

-- import.createStage [2/2]
CREATE TABLE import_stage_library (pos bigint PRIMARY KEY, id TEXT NOT NULL, kind TEXT NOT NULL,
  title TEXT NOT NULL, title_lower TEXT NOT NULL, search_text TEXT NOT NULL, poster_url TEXT,
  background_url TEXT, year INTEGER, quality TEXT, source TEXT, file_path TEXT, file_size bigint,
  metadata jsonb, extra jsonb, created_at TEXT NOT NULL, bound bigint);

-- import.insertStage
INSERT INTO import_stage_library (pos, id, kind, title, title_lower, search_text, poster_url,
  background_url, year, quality, source, file_path, file_size, metadata, extra, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16),
  ($17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32),
  ($33, $34, $35, $36, $37, $38, $39, $40, $41, $42, $43, $44, $45, $46, $47, $48);

-- import.indexStage [1/2]
CREATE INDEX import_stage_library_id ON import_stage_library (id, pos);

-- import.indexStage [2/2]
CREATE INDEX import_stage_library_title ON import_stage_library (kind, title_lower, pos);

-- import.stageSuspects
SELECT s.*
FROM import_stage_library s
WHERE s.id IN (SELECT id FROM import_stage_library GROUP BY id HAVING COUNT(*) > 1)
  OR EXISTS (
  SELECT 1
  FROM (
    SELECT kind, title_lower
    FROM import_stage_library
    GROUP BY kind, title_lower
    HAVING COUNT(*) > 1
  ) d
  WHERE d.kind = s.kind AND d.title_lower = s.title_lower
)
ORDER BY s.pos;

-- import.deleteStagePositions
delete from "import_stage_library"
where "pos" in ($1, $2);

-- import.stageCount
SELECT COUNT(*) AS n
FROM import_stage_library;

-- import.mergeStage [1/4]
DELETE FROM library_items
WHERE NOT EXISTS (SELECT 1 FROM import_stage_library s WHERE s.id = library_items.id);

-- import.mergeStage [2/4]
UPDATE library_items
SET title_lower = '<U+0001>' || library_items.id
FROM import_stage_library s
WHERE s.id = library_items.id
  AND (library_items.kind <> s.kind OR library_items.title_lower <> s.title_lower);

-- import.mergeStage [3/4]
UPDATE library_items
SET kind = s.kind, title = s.title, title_lower = s.title_lower, search_text = s.search_text,
  poster_url = s.poster_url, background_url = s.background_url, year = s.year, quality = s.quality,
  source = s.source, file_path = s.file_path, file_size = s.file_size, metadata = s.metadata,
  extra = s.extra
FROM import_stage_library s
WHERE s.id = library_items.id
  AND (library_items.kind IS DISTINCT FROM s.kind OR library_items.title IS DISTINCT FROM s.title
  OR library_items.title_lower IS DISTINCT FROM s.title_lower
  OR library_items.search_text IS DISTINCT FROM s.search_text
  OR library_items.poster_url IS DISTINCT FROM s.poster_url
  OR library_items.background_url IS DISTINCT FROM s.background_url
  OR library_items.year IS DISTINCT FROM s.year OR library_items.quality IS DISTINCT FROM s.quality
  OR library_items.source IS DISTINCT FROM s.source
  OR library_items.file_path IS DISTINCT FROM s.file_path
  OR library_items.file_size IS DISTINCT FROM s.file_size
  OR library_items.metadata IS DISTINCT FROM s.metadata
  OR library_items.extra IS DISTINCT FROM s.extra);

-- import.mergeStage [4/4]
INSERT INTO library_items (id, kind, title, title_lower, search_text, poster_url, background_url,
  year, quality, source, file_path, file_size, metadata, extra, created_at)
SELECT id, kind, title, title_lower, search_text, poster_url, background_url, year, quality,
  source, file_path, file_size, metadata, extra, created_at
FROM import_stage_library s
WHERE NOT EXISTS (SELECT 1 FROM library_items l WHERE l.id = s.id)
ORDER BY s.pos;

-- import.dropStage
DROP TABLE IF EXISTS import_stage_library;

-- import.maxLibrarySeq
SELECT max(seq) AS m
FROM library_items;

-- import.insertLibraryParams
INSERT INTO library_items (id, kind, title, title_lower, search_text, poster_url, background_url,
  year, quality, source, file_path, file_size, metadata, extra, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
ON CONFLICT DO NOTHING;

-- import.insertLibraryParams (conflict skipped)
INSERT INTO library_items (id, kind, title, title_lower, search_text, poster_url, background_url,
  year, quality, source, file_path, file_size, metadata, extra, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
ON CONFLICT DO NOTHING;

-- import.libraryKeysAfter
select "id", "kind", "title_lower"
from "library_items"
where "seq" > $1;

-- import.libraryHolder [1/2]
select "id"
from "library_items"
where "id" = $1;

-- import.libraryHolder [2/2]
select "id"
from "library_items"
where "kind" = $1 and "title_lower" = $2;

-- import.libraryHolder (up to a seq) [1/2]
select "id"
from "library_items"
where "id" = $1 and "seq" <= $2;

-- import.libraryHolder (up to a seq) [2/2]
select "id"
from "library_items"
where "kind" = $1 and "title_lower" = $2 and "seq" <= $3;

-- import.suspendLibraryIndexes [1/6]
select indexname, indexdef
from pg_indexes
where schemaname = current_schema() and tablename = 'library_items'
  and indexname not in (select conname from pg_constraint where conrelid = 'library_items'::regclass);

-- import.suspendLibraryIndexes [2/6]
DROP INDEX idx_library_created_at;

-- import.suspendLibraryIndexes [3/6]
DROP INDEX idx_library_kind_created_at;

-- import.suspendLibraryIndexes [4/6]
DROP INDEX idx_library_search;

-- import.suspendLibraryIndexes [5/6]
DROP INDEX idx_library_title;

-- import.suspendLibraryIndexes [6/6]
DROP INDEX ux_library_kind_title;

-- import.suspendLibraryIndexes (set aside the rest)
-- (no statement)

-- import.suspendLibraryIndexes (restore) [1/8]
select setting as kb
from pg_settings
where name = 'maintenance_work_mem';

-- import.suspendLibraryIndexes (restore) [2/8]
select set_config('maintenance_work_mem', $1, true);

-- import.suspendLibraryIndexes (restore) [3/8]
CREATE INDEX idx_library_created_at ON library_items USING btree (created_at, seq);

-- import.suspendLibraryIndexes (restore) [4/8]
CREATE INDEX idx_library_kind_created_at ON library_items USING btree (kind, created_at, seq);

-- import.suspendLibraryIndexes (restore) [5/8]
CREATE INDEX idx_library_search ON library_items USING gin (to_tsvector('simple'::regconfig,
  search_text));

-- import.suspendLibraryIndexes (restore) [6/8]
CREATE INDEX idx_library_title ON library_items USING btree (title_lower, seq);

-- import.suspendLibraryIndexes (restore) [7/8]
CREATE UNIQUE INDEX ux_library_kind_title ON library_items USING btree (kind, title_lower);

-- import.suspendLibraryIndexes (restore) [8/8]
select set_config('maintenance_work_mem', $1, true);

-- import.libraryRowsByIds
select "id", "kind", "title", "title_lower", "search_text", "poster_url", "background_url", "year",
  "quality", "source", "file_path", "file_size", "metadata", "extra"
from "library_items"
where "id" in ($1);

-- import.libraryPage
select "id", "kind", "title", "title_lower", "search_text", "poster_url", "background_url", "year",
  "quality", "source", "file_path", "file_size", "metadata", "extra", "seq"
from "library_items"
where "seq" > $1
order by "seq"
limit $2;

-- import.insertRun
insert into "import_runs" ("id", "source_dir", "started_at", "finished_at", "status", "dry_run",
  "exit_code", "report")
values ($1, $2, $3, $4, $5, $6, $7, $8);

-- import.finishRun
update "import_runs"
set "finished_at" = $1, "exit_code" = $2, "report" = $3
where "id" = $4;

-- import.lastRuns
select "id", "source_dir", "started_at", "finished_at", "status", "exit_code"
from "import_runs"
order by "started_at" desc
limit $1;

-- import.insertQuarantine
INSERT INTO "import_quarantine" ("id", "import_id", "file", "locator", "reason", "raw",
  "raw_encoding", "created_at")
VALUES ($1, $2, $3, $4, $5, $6, $7, $8);

-- import.selectQuarantine
select "id", "file", "locator", "reason", "raw", "raw_encoding", "created_at"
from "import_quarantine"
order by "file", "created_at";

-- import.selectQuarantine (one file)
select "id", "file", "locator", "reason", "raw", "raw_encoding", "created_at"
from "import_quarantine"
where "file" = $1
order by "file", "created_at";

-- import.deleteQuarantine
delete from "import_quarantine"
where "id" in ($1);
