-- import.hasData (empty database) [1/9]
select 1 as "one"
from "users"
limit ?;

-- import.hasData (empty database) [2/9]
select 1 as "one"
from "library_items"
limit ?;

-- import.hasData (empty database) [3/9]
select 1 as "one"
from "wanted_items"
limit ?;

-- import.hasData (empty database) [4/9]
select 1 as "one"
from "downloaders"
limit ?;

-- import.hasData (empty database) [5/9]
select 1 as "one"
from "indexers"
limit ?;

-- import.hasData (empty database) [6/9]
select 1 as "one"
from "quality_profiles"
limit ?;

-- import.hasData (empty database) [7/9]
select 1 as "one"
from "grabs"
limit ?;

-- import.hasData (empty database) [8/9]
select 1 as "one"
from "verify_results"
limit ?;

-- import.hasData (empty database) [9/9]
select 1 as "one"
from "settings"
limit ?;

-- import.insertRows
INSERT INTO "users" ("id", "email", "email_lower", "password_hash", "role", "created_at",
  "updated_at", "last_login_at", "extra")
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?);

-- import.selectRows
select "id", "email"
from "users"
order by "id";

-- import.selectRows (settings key)
select "key", "value"
from "settings"
where "key" = ?;

-- import.createdAt
select "id", "created_at"
from "users"
where "id" in (?);

-- import.countRows
select count(*) as "n"
from "users";

-- import.hasRows
select 1 as "one"
from "users"
limit ?;

-- import.insertRows (a linked table) [1/2]
select "id"
from "library_items"
where "id" in (?);

-- import.insertRows (a linked table) [2/2]
INSERT INTO "grabs" ("key", "kind", "item_id", "position", "library_item_id")
VALUES (?, ?, ?, ?, ?);

-- import.insertRows (a linked table, library known empty: no look-up)
INSERT INTO "grabs" ("key", "kind", "item_id", "position", "library_item_id")
VALUES (?, ?, ?, ?, ?);

-- import.deleteKeys
delete from "users"
where "id" in (?);

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
CREATE TABLE import_stage_library (pos INTEGER PRIMARY KEY, id TEXT NOT NULL, kind TEXT NOT NULL,
  title TEXT NOT NULL, title_lower TEXT NOT NULL, search_text TEXT NOT NULL, poster_url TEXT,
  background_url TEXT, year INTEGER, quality TEXT, source TEXT, file_path TEXT, file_size INTEGER,
  metadata TEXT CHECK (metadata IS NULL OR json_valid(metadata)),
  extra TEXT CHECK (extra IS NULL OR json_valid(extra)), created_at TEXT NOT NULL, bound INTEGER);

-- import.insertStage
INSERT INTO import_stage_library (pos, id, kind, title, title_lower, search_text, poster_url,
  background_url, year, quality, source, file_path, file_size, metadata, extra, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?),
  (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?),
  (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

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
where "pos" in (?, ?);

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
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT DO NOTHING;

-- import.insertLibraryParams (conflict skipped)
INSERT INTO library_items (id, kind, title, title_lower, search_text, poster_url, background_url,
  year, quality, source, file_path, file_size, metadata, extra, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT DO NOTHING;

-- import.libraryKeysAfter
select "id", "kind", "title_lower"
from "library_items"
where "seq" > ?;

-- import.libraryHolder [1/2]
select "id"
from "library_items"
where "id" = ?;

-- import.libraryHolder [2/2]
select "id"
from "library_items"
where "kind" = ? and "title_lower" = ?;

-- import.libraryHolder (up to a seq) [1/2]
select "id"
from "library_items"
where "id" = ? and "seq" <= ?;

-- import.libraryHolder (up to a seq) [2/2]
select "id"
from "library_items"
where "kind" = ? and "title_lower" = ? and "seq" <= ?;

-- import.suspendLibraryIndexes [1/5]
select type, name, sql
from sqlite_master
where tbl_name = 'library_items' and sql is not null
  and (type = 'index' or (type = 'trigger' and upper(sql) like '%AFTER INSERT ON LIBRARY_ITEMS%'));

-- import.suspendLibraryIndexes [2/5]
select name
from sqlite_master
where type = 'table' and sql like '%content=''library_items''%';

-- import.suspendLibraryIndexes [3/5]
DROP INDEX ux_library_kind_title;

-- import.suspendLibraryIndexes [4/5]
DROP INDEX idx_library_title;

-- import.suspendLibraryIndexes [5/5]
DROP TRIGGER library_items_fts_ai;

-- import.suspendLibraryIndexes (set aside the rest) [1/2]
DROP INDEX idx_library_created_at;

-- import.suspendLibraryIndexes (set aside the rest) [2/2]
DROP INDEX idx_library_kind_created_at;

-- import.suspendLibraryIndexes (restore) [1/12]
PRAGMA threads;

-- import.suspendLibraryIndexes (restore) [2/12]
PRAGMA threads = 2;

-- import.suspendLibraryIndexes (restore) [3/12]
CREATE UNIQUE INDEX ux_library_kind_title ON library_items(kind, title_lower);

-- import.suspendLibraryIndexes (restore) [4/12]
CREATE INDEX idx_library_title ON library_items(title_lower, seq);

-- import.suspendLibraryIndexes (restore) [5/12]
CREATE TRIGGER library_items_fts_ai AFTER INSERT ON library_items BEGIN INSERT INTO library_items_fts(rowid,
  search_text)
VALUES (NEW.seq, NEW.search_text); END;

-- import.suspendLibraryIndexes (restore) [6/12]
CREATE INDEX idx_library_created_at ON library_items(created_at, seq);

-- import.suspendLibraryIndexes (restore) [7/12]
CREATE INDEX idx_library_kind_created_at ON library_items(kind, created_at, seq);

-- import.suspendLibraryIndexes (restore) [8/12]
PRAGMA threads = 0;

-- import.suspendLibraryIndexes (restore) [9/12]
SELECT v
FROM "library_items_fts_config"
WHERE k = 'hashsize';

-- import.suspendLibraryIndexes (restore) [10/12]
INSERT INTO library_items_fts(library_items_fts, rank)
VALUES ('hashsize', 16777216);

-- import.suspendLibraryIndexes (restore) [11/12]
INSERT INTO library_items_fts(library_items_fts)
VALUES ('rebuild');

-- import.suspendLibraryIndexes (restore) [12/12]
INSERT INTO library_items_fts(library_items_fts, rank)
VALUES ('hashsize', 1048576);

-- import.libraryRowsByIds
select "id", "kind", "title", "title_lower", "search_text", "poster_url", "background_url", "year",
  "quality", "source", "file_path", "file_size", "metadata", "extra"
from "library_items"
where "id" in (?);

-- import.libraryPage
select "id", "kind", "title", "title_lower", "search_text", "poster_url", "background_url", "year",
  "quality", "source", "file_path", "file_size", "metadata", "extra", "seq"
from "library_items"
where "seq" > ?
order by "seq"
limit ?;

-- import.insertRun
insert into "import_runs" ("id", "source_dir", "started_at", "finished_at", "status", "dry_run",
  "exit_code", "report")
values (?, ?, ?, ?, ?, ?, ?, ?);

-- import.finishRun
update "import_runs"
set "finished_at" = ?, "exit_code" = ?, "report" = ?
where "id" = ?;

-- import.lastRuns
select "id", "source_dir", "started_at", "finished_at", "status", "exit_code"
from "import_runs"
order by "started_at" desc
limit ?;

-- import.insertQuarantine
INSERT INTO "import_quarantine" ("id", "import_id", "file", "locator", "reason", "raw",
  "raw_encoding", "created_at")
VALUES (?, ?, ?, ?, ?, ?, ?, ?);

-- import.selectQuarantine
select "id", "file", "locator", "reason", "raw", "raw_encoding", "created_at"
from "import_quarantine"
order by "file", "created_at";

-- import.selectQuarantine (one file)
select "id", "file", "locator", "reason", "raw", "raw_encoding", "created_at"
from "import_quarantine"
where "file" = ?
order by "file", "created_at";

-- import.deleteQuarantine
delete from "import_quarantine"
where "id" in (?);
