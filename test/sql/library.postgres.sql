-- library.query sort=title [1/2]
select count(*) as "n"
from "library_items";

-- library.query sort=title [2/2]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "title_lower"
from "library_items"
order by "title_lower" asc, "seq" asc
limit $1;

-- library.query sort=title, cursor [1/2]
select count(*) as "n"
from "library_items";

-- library.query sort=title, cursor [2/2]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "title_lower"
from "library_items"
where ("title_lower", "seq") > ($1, $2)
order by "title_lower" asc, "seq" asc
limit $3;

-- library.query sort=-title [1/2]
select count(*) as "n"
from "library_items";

-- library.query sort=-title [2/2]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "title_lower"
from "library_items"
order by "title_lower" desc, "seq" desc
limit $1;

-- library.query sort=createdAt, cursor [1/2]
select count(*) as "n"
from "library_items";

-- library.query sort=createdAt, cursor [2/2]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "created_at"
from "library_items"
where ("created_at", "seq") > ($1, $2)
order by "created_at" asc, "seq" asc
limit $3;

-- library.query sort=-createdAt [1/2]
select count(*) as "n"
from "library_items";

-- library.query sort=-createdAt [2/2]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "created_at"
from "library_items"
order by "created_at" desc, "seq" desc
limit $1;

-- library.query sort=-createdAt, cursor [1/2]
select count(*) as "n"
from "library_items";

-- library.query sort=-createdAt, cursor [2/2]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "created_at"
from "library_items"
where ("created_at", "seq") < ($1, $2)
order by "created_at" desc, "seq" desc
limit $3;

-- library.query kind=movie, sort=title [1/2]
select count(*) as "n"
from "library_items"
where "kind" = $1;

-- library.query kind=movie, sort=title [2/2]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "title_lower"
from "library_items"
where "kind" = $1
order by "title_lower" asc
limit $2;

-- library.query kind=movie, sort=title, cursor [1/2]
select count(*) as "n"
from "library_items"
where "kind" = $1;

-- library.query kind=movie, sort=title, cursor [2/2]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "title_lower"
from "library_items"
where "kind" = $1 and "title_lower" > $2
order by "title_lower" asc
limit $3;

-- library.query kind=series, sort=-createdAt [1/2]
select count(*) as "n"
from "library_items"
where "kind" = $1;

-- library.query kind=series, sort=-createdAt [2/2]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "created_at"
from "library_items"
where "kind" = $1
order by "created_at" desc, "seq" desc
limit $2;

-- library.query q=star, sort=title [1/2]
select count(*) as "n"
from (
  select 1 as "one"
  from "library_items"
  where to_tsvector('simple', search_text) @@ to_tsquery('simple', $1)
  limit $2
) as "m";

-- library.query q=star, sort=title [2/2]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "title_lower"
from "library_items"
where to_tsvector('simple', search_text) @@ to_tsquery('simple', $1)
order by "title_lower" asc, "seq" asc
limit $2;

-- library.query q=star, sort=-createdAt, cursor [1/2]
select count(*) as "n"
from (
  select 1 as "one"
  from "library_items"
  where to_tsvector('simple', search_text) @@ to_tsquery('simple', $1)
  limit $2
) as "m";

-- library.query q=star, sort=-createdAt, cursor [2/2]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "created_at"
from "library_items"
where to_tsvector('simple', search_text) @@ to_tsquery('simple', $1)
  and ("created_at", "seq") < ($2, $3)
order by "created_at" desc, "seq" desc
limit $4;

-- library.query q="moon 001", kind=book, sort=title [1/2]
select count(*) as "n"
from (
  select 1 as "one"
  from "library_items"
  where "kind" = $1 and to_tsvector('simple', search_text) @@ to_tsquery('simple', $2)
  limit $3
) as "m";

-- library.query q="moon 001", kind=book, sort=title [2/2]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "title_lower"
from "library_items"
where "kind" = $1 and to_tsvector('simple', search_text) @@ to_tsquery('simple', $2)
order by "title_lower" asc
limit $3;

-- library.query q=title (many matches), sort=title [1/3]
select count(*) as "n"
from (
  select 1 as "one"
  from "library_items"
  where to_tsvector('simple', search_text) @@ to_tsquery('simple', $1)
  limit $2
) as "m";

-- library.query q=title (many matches), sort=title [2/3]
select count(*) as "n"
from "library_items"
where to_tsvector('simple', search_text) @@ to_tsquery('simple', $1);

-- library.query q=title (many matches), sort=title [3/3]
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

-- library.getById
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra"
from "library_items"
where "id" = $1;

-- library.findByIdOrTitle
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra"
from (
  select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
    "file_path", "file_size", "metadata", "extra", "seq"
  from "library_items"
  where "id" = $1
  union all
  select *
  from (
    select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
      "file_path", "file_size", "metadata", "extra", "seq"
    from "library_items"
    where "title_lower" = $2 and "title" = $3
    order by "seq"
    limit $4
  ) as "first_by_title"
) as "matches"
order by "seq"
limit $5;

-- library.findByTitle
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra"
from "library_items"
where ("title_lower" = $1 and "title" = $2)
order by "seq"
limit $3;

-- library.count
select count(*) as "n"
from "library_items";

-- library.batchAfter
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq"
from "library_items"
where "seq" > $1
order by "seq"
limit $2;

-- library.create (created) [1/2]
insert into "library_items" ("id", "kind", "title", "title_lower", "search_text", "poster_url",
  "background_url", "year", "quality", "source", "file_path", "file_size", "metadata", "extra",
  "created_at", "updated_at")
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
on conflict do nothing
returning "seq";

-- library.create (created) [2/2]
update "wanted_items"
set "library_item_id" = $1
where "item_id" = $2 and "library_item_id" is null;

-- library.create (exists: same kind and title) [1/2]
insert into "library_items" ("id", "kind", "title", "title_lower", "search_text", "poster_url",
  "background_url", "year", "quality", "source", "file_path", "file_size", "metadata", "extra",
  "created_at", "updated_at")
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
on conflict do nothing
returning "seq";

-- library.create (exists: same kind and title) [2/2]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra"
from "library_items"
where "kind" = $1 and "title_lower" = $2;

-- library.create (duplicate id) [1/3]
insert into "library_items" ("id", "kind", "title", "title_lower", "search_text", "poster_url",
  "background_url", "year", "quality", "source", "file_path", "file_size", "metadata", "extra",
  "created_at", "updated_at")
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
on conflict do nothing
returning "seq";

-- library.create (duplicate id) [2/3]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra"
from "library_items"
where "kind" = $1 and "title_lower" = $2;

-- library.create (duplicate id) [3/3]
select "seq"
from "library_items"
where "id" = $1;

-- library.patch (title changed) [1/5]
begin;

-- library.patch (title changed) [2/5]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra"
from "library_items"
where "id" = $1;

-- library.patch (title changed) [3/5]
select "seq"
from "library_items"
where "kind" = $1 and "title_lower" = $2 and "id" <> $3;

-- library.patch (title changed) [4/5]
update "library_items"
set "kind" = $1, "title" = $2, "title_lower" = $3, "search_text" = $4, "poster_url" = $5,
  "background_url" = $6, "year" = $7, "quality" = $8, "source" = $9, "file_path" = $10,
  "file_size" = $11, "metadata" = $12, "extra" = $13, "updated_at" = $14
where "id" = $15;

-- library.patch (title changed) [5/5]
commit;

-- library.patch (same title) [1/4]
begin;

-- library.patch (same title) [2/4]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra"
from "library_items"
where "id" = $1;

-- library.patch (same title) [3/4]
update "library_items"
set "kind" = $1, "title" = $2, "title_lower" = $3, "search_text" = $4, "poster_url" = $5,
  "background_url" = $6, "year" = $7, "quality" = $8, "source" = $9, "file_path" = $10,
  "file_size" = $11, "metadata" = $12, "extra" = $13, "updated_at" = $14
where "id" = $15;

-- library.patch (same title) [4/4]
commit;

-- library.patch (duplicate title) [1/4]
begin;

-- library.patch (duplicate title) [2/4]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra"
from "library_items"
where "id" = $1;

-- library.patch (duplicate title) [3/4]
select "seq"
from "library_items"
where "kind" = $1 and "title_lower" = $2 and "id" <> $3;

-- library.patch (duplicate title) [4/4]
commit;

-- library.patch (not found) [1/3]
begin;

-- library.patch (not found) [2/3]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra"
from "library_items"
where "id" = $1;

-- library.patch (not found) [3/3]
commit;

-- library.remove
delete from "library_items"
where "id" = $1
returning "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra";
