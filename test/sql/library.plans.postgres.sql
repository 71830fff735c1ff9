-- library.query sort=title
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "title_lower"
from "library_items"
order by "title_lower" asc, "seq" asc
limit $1;
-- Limit
--   ->  Index Scan using idx_library_title on library_items

-- library.query sort=title, cursor
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "title_lower"
from "library_items"
where ("title_lower", "seq") > ($1, $2)
order by "title_lower" asc, "seq" asc
limit $3;
-- Limit
--   ->  Index Scan using idx_library_title on library_items
--         Index Cond: (ROW(title_lower, seq) > ROW('title moon 00001'::text, '2'::bigint))

-- library.query sort=-createdAt
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "created_at"
from "library_items"
order by "created_at" desc, "seq" desc
limit $1;
-- Limit
--   ->  Index Scan Backward using idx_library_created_at on library_items

-- library.query sort=-createdAt, cursor
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "created_at"
from "library_items"
where ("created_at", "seq") < ($1, $2)
order by "created_at" desc, "seq" desc
limit $3;
-- Limit
--   ->  Index Scan Backward using idx_library_created_at on library_items
--         Index Cond: (ROW(created_at, seq) < ROW('2020-01-03T00:00:00.000Z'::text, '2881'::bigint))

-- library.query kind=movie, sort=title
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "title_lower"
from "library_items"
where "kind" = $1
order by "title_lower" asc
limit $2;
-- Limit
--   ->  Index Scan using ux_library_kind_title on library_items
--         Index Cond: (kind = 'movie'::text)

-- library.query kind=series, sort=-createdAt
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "created_at"
from "library_items"
where "kind" = $1
order by "created_at" desc, "seq" desc
limit $2;
-- Limit
--   ->  Index Scan Backward using idx_library_created_at on library_items
--         Filter: (kind = 'series'::text)

-- library.query q=star, sort=title
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "title_lower"
from "library_items"
where to_tsvector('simple', search_text) @@ to_tsquery('simple', $1)
order by "title_lower" asc, "seq" asc
limit $2;
-- Limit
--   ->  Index Scan using idx_library_title on library_items
--         Filter: (to_tsvector('simple'::regconfig, search_text) @@ '''star'':*'::tsquery)

-- library.query q=star, sort=-createdAt, cursor
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "created_at"
from "library_items"
where to_tsvector('simple', search_text) @@ to_tsquery('simple', $1)
  and ("created_at", "seq") < ($2, $3)
order by "created_at" desc, "seq" desc
limit $4;
-- Limit
--   ->  Index Scan Backward using idx_library_created_at on library_items
--         Index Cond: (ROW(created_at, seq) < ROW('2020-01-03T00:00:00.000Z'::text, '2881'::bigint))
--         Filter: (to_tsvector('simple'::regconfig, search_text) @@ '''star'':*'::tsquery)

-- library.query q="moon 001", kind=book, sort=title
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "title_lower"
from "library_items"
where "kind" = $1 and to_tsvector('simple', search_text) @@ to_tsquery('simple', $2)
order by "title_lower" asc
limit $3;
-- Limit
--   ->  Sort
--         Sort Key: title_lower COLLATE "C"
--         ->  Bitmap Heap Scan on library_items
--               Recheck Cond: (to_tsvector('simple'::regconfig, search_text) @@ '''moon'':* & ''001'':*'::tsquery)
--               Filter: (kind = 'book'::text)
--               ->  Bitmap Index Scan on idx_library_search
--                     Index Cond: (to_tsvector('simple'::regconfig, search_text) @@ '''moon'':* & ''001'':*'::tsquery)

-- library.query q=title (many matches), sort=title
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "title_lower"
from (
  select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
    "file_path", "file_size", "metadata", "extra", "seq", "title_lower", "search_text"
  from "library_items"
  order by "title_lower" asc, "seq" asc
  limit $1
) as "library_items"
where strpos(' ' || search_text, $2) > 0
order by "title_lower" asc, "seq" asc
limit $3;
-- Limit
--   ->  Subquery Scan on library_items
--         Filter: (strpos((' '::text || library_items.search_text), ' title'::text) > 0)
--         ->  Limit
--               ->  Index Scan using idx_library_title on library_items library_items_1
