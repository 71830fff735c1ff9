-- library.query sort=title
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "title_lower"
from "library_items"
order by "title_lower" asc, "seq" asc
limit ?;
-- SCAN library_items USING INDEX idx_library_title

-- library.query sort=title, cursor
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "title_lower"
from "library_items"
where ("title_lower", "seq") > (?, ?)
order by "title_lower" asc, "seq" asc
limit ?;
-- SEARCH library_items USING INDEX idx_library_title (title_lower>?)

-- library.query sort=-createdAt
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "created_at"
from "library_items"
order by "created_at" desc, "seq" desc
limit ?;
-- SCAN library_items USING INDEX idx_library_created_at

-- library.query sort=-createdAt, cursor
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "created_at"
from "library_items"
where ("created_at", "seq") < (?, ?)
order by "created_at" desc, "seq" desc
limit ?;
-- SEARCH library_items USING INDEX idx_library_created_at (created_at<?)

-- library.query kind=movie, sort=title
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "title_lower"
from "library_items"
where "kind" = ?
order by "title_lower" asc
limit ?;
-- SEARCH library_items USING INDEX ux_library_kind_title (kind=?)

-- library.query kind=series, sort=-createdAt
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "created_at"
from "library_items"
where "kind" = ?
order by "created_at" desc, "seq" desc
limit ?;
-- SEARCH library_items USING INDEX idx_library_kind_created_at (kind=?)

-- library.query q=star, sort=title
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "title_lower"
from "library_items"
where "seq" in (select rowid from library_items_fts where library_items_fts match ?)
order by "title_lower" asc, "seq" asc
limit ?;
-- SEARCH library_items USING INTEGER PRIMARY KEY (rowid=?)
-- LIST SUBQUERY 1
--   SCAN library_items_fts VIRTUAL TABLE INDEX 0:M1
-- USE TEMP B-TREE FOR ORDER BY

-- library.query q=star, sort=-createdAt, cursor
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "created_at"
from "library_items"
where "seq" in (select rowid from library_items_fts where library_items_fts match ?)
  and ("created_at", "seq") < (?, ?)
order by "created_at" desc, "seq" desc
limit ?;
-- SEARCH library_items USING INTEGER PRIMARY KEY (rowid=?)
-- LIST SUBQUERY 1
--   SCAN library_items_fts VIRTUAL TABLE INDEX 0:M1
-- USE TEMP B-TREE FOR ORDER BY

-- library.query q="moon 001", kind=book, sort=title
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "title_lower"
from "library_items"
where "kind" = ? and "seq" in (select rowid from library_items_fts where library_items_fts match ?)
order by "title_lower" asc
limit ?;
-- SEARCH library_items USING INTEGER PRIMARY KEY (rowid=?)
-- LIST SUBQUERY 1
--   SCAN library_items_fts VIRTUAL TABLE INDEX 0:M1
-- USE TEMP B-TREE FOR ORDER BY

-- library.query q=title (many matches), sort=title
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "title_lower"
from (
  select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
    "file_path", "file_size", "metadata", "extra", "seq", "title_lower", "search_text"
  from "library_items"
  order by "title_lower" asc, "seq" asc
  limit ?
) as "library_items"
where instr(' ' || search_text, ?) > 0
order by "title_lower" asc, "seq" asc
limit ?;
-- CO-ROUTINE library_items
--   SCAN library_items USING INDEX idx_library_title
-- SCAN library_items
