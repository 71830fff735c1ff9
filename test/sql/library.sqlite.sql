-- library.query sort=title [1/3]
pragma data_version;

-- library.query sort=title [2/3]
select count(*) as "n"
from "library_items";

-- library.query sort=title [3/3]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "title_lower"
from "library_items"
order by "title_lower" asc, "seq" asc
limit ?;

-- library.query sort=title, cursor [1/3]
pragma data_version;

-- library.query sort=title, cursor [2/3]
select count(*) as "n"
from "library_items";

-- library.query sort=title, cursor [3/3]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "title_lower"
from "library_items"
where ("title_lower", "seq") > (?, ?)
order by "title_lower" asc, "seq" asc
limit ?;

-- library.query sort=-title [1/3]
pragma data_version;

-- library.query sort=-title [2/3]
select count(*) as "n"
from "library_items";

-- library.query sort=-title [3/3]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "title_lower"
from "library_items"
order by "title_lower" desc, "seq" desc
limit ?;

-- library.query sort=createdAt, cursor [1/3]
pragma data_version;

-- library.query sort=createdAt, cursor [2/3]
select count(*) as "n"
from "library_items";

-- library.query sort=createdAt, cursor [3/3]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "created_at"
from "library_items"
where ("created_at", "seq") > (?, ?)
order by "created_at" asc, "seq" asc
limit ?;

-- library.query sort=-createdAt [1/3]
pragma data_version;

-- library.query sort=-createdAt [2/3]
select count(*) as "n"
from "library_items";

-- library.query sort=-createdAt [3/3]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "created_at"
from "library_items"
order by "created_at" desc, "seq" desc
limit ?;

-- library.query sort=-createdAt, cursor [1/3]
pragma data_version;

-- library.query sort=-createdAt, cursor [2/3]
select count(*) as "n"
from "library_items";

-- library.query sort=-createdAt, cursor [3/3]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "created_at"
from "library_items"
where ("created_at", "seq") < (?, ?)
order by "created_at" desc, "seq" desc
limit ?;

-- library.query kind=movie, sort=title [1/3]
pragma data_version;

-- library.query kind=movie, sort=title [2/3]
select count(*) as "n"
from "library_items"
where "kind" = ?;

-- library.query kind=movie, sort=title [3/3]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "title_lower"
from "library_items"
where "kind" = ?
order by "title_lower" asc
limit ?;

-- library.query kind=movie, sort=title, cursor [1/3]
pragma data_version;

-- library.query kind=movie, sort=title, cursor [2/3]
select count(*) as "n"
from "library_items"
where "kind" = ?;

-- library.query kind=movie, sort=title, cursor [3/3]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "title_lower"
from "library_items"
where "kind" = ? and "title_lower" > ?
order by "title_lower" asc
limit ?;

-- library.query kind=series, sort=-createdAt [1/3]
pragma data_version;

-- library.query kind=series, sort=-createdAt [2/3]
select count(*) as "n"
from "library_items"
where "kind" = ?;

-- library.query kind=series, sort=-createdAt [3/3]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "created_at"
from "library_items"
where "kind" = ?
order by "created_at" desc, "seq" desc
limit ?;

-- library.query q=star, sort=title [1/3]
pragma data_version;

-- library.query q=star, sort=title [2/3]
select count(*) as n
from (select rowid from library_items_fts where library_items_fts match ? limit ?);

-- library.query q=star, sort=title [3/3]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "title_lower"
from "library_items"
where "seq" in (select rowid from library_items_fts where library_items_fts match ?)
order by "title_lower" asc, "seq" asc
limit ?;

-- library.query q=star, sort=-createdAt, cursor [1/3]
pragma data_version;

-- library.query q=star, sort=-createdAt, cursor [2/3]
select count(*) as n
from (select rowid from library_items_fts where library_items_fts match ? limit ?);

-- library.query q=star, sort=-createdAt, cursor [3/3]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "created_at"
from "library_items"
where "seq" in (select rowid from library_items_fts where library_items_fts match ?)
  and ("created_at", "seq") < (?, ?)
order by "created_at" desc, "seq" desc
limit ?;

-- library.query q="moon 001", kind=book, sort=title [1/3]
pragma data_version;

-- library.query q="moon 001", kind=book, sort=title [2/3]
select count(*) as "n"
from (
  select 1 as "one"
  from "library_items"
  where "kind" = ?
    and "seq" in (select rowid from library_items_fts where library_items_fts match ?)
  limit ?
) as "m";

-- library.query q="moon 001", kind=book, sort=title [3/3]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq", "title_lower"
from "library_items"
where "kind" = ? and "seq" in (select rowid from library_items_fts where library_items_fts match ?)
order by "title_lower" asc
limit ?;

-- library.query q=title (many matches), sort=title [1/4]
pragma data_version;

-- library.query q=title (many matches), sort=title [2/4]
select count(*) as n
from (select rowid from library_items_fts where library_items_fts match ? limit ?);

-- library.query q=title (many matches), sort=title [3/4]
select count(*) as n
from library_items_fts
where library_items_fts match ?;

-- library.query q=title (many matches), sort=title [4/4]
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

-- library.getById
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra"
from "library_items"
where "id" = ?;

-- library.findByIdOrTitle
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra"
from (
  select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
    "file_path", "file_size", "metadata", "extra", "seq"
  from "library_items"
  where "id" = ?
  union all
  select *
  from (
    select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
      "file_path", "file_size", "metadata", "extra", "seq"
    from "library_items"
    where "title_lower" = ? and "title" = ?
    order by "seq"
    limit ?
  ) as "first_by_title"
) as "matches"
order by "seq"
limit ?;

-- library.findByTitle
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra"
from "library_items"
where ("title_lower" = ? and "title" = ?)
order by "seq"
limit ?;

-- library.count
select count(*) as "n"
from "library_items";

-- library.batchAfter
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra", "seq"
from "library_items"
where "seq" > ?
order by "seq"
limit ?;

-- library.create (created) [1/2]
insert into "library_items" ("id", "kind", "title", "title_lower", "search_text", "poster_url",
  "background_url", "year", "quality", "source", "file_path", "file_size", "metadata", "extra",
  "created_at", "updated_at")
values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
on conflict do nothing
returning "seq";

-- library.create (created) [2/2]
update "wanted_items"
set "library_item_id" = ?
where "item_id" = ? and "library_item_id" is null;

-- library.create (exists: same kind and title) [1/2]
insert into "library_items" ("id", "kind", "title", "title_lower", "search_text", "poster_url",
  "background_url", "year", "quality", "source", "file_path", "file_size", "metadata", "extra",
  "created_at", "updated_at")
values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
on conflict do nothing
returning "seq";

-- library.create (exists: same kind and title) [2/2]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra"
from "library_items"
where "kind" = ? and "title_lower" = ?;

-- library.create (duplicate id) [1/3]
insert into "library_items" ("id", "kind", "title", "title_lower", "search_text", "poster_url",
  "background_url", "year", "quality", "source", "file_path", "file_size", "metadata", "extra",
  "created_at", "updated_at")
values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
on conflict do nothing
returning "seq";

-- library.create (duplicate id) [2/3]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra"
from "library_items"
where "kind" = ? and "title_lower" = ?;

-- library.create (duplicate id) [3/3]
select "seq"
from "library_items"
where "id" = ?;

-- library.patch (title changed) [1/5]
begin;

-- library.patch (title changed) [2/5]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra"
from "library_items"
where "id" = ?;

-- library.patch (title changed) [3/5]
select "seq"
from "library_items"
where "kind" = ? and "title_lower" = ? and "id" <> ?;

-- library.patch (title changed) [4/5]
update "library_items"
set "kind" = ?, "title" = ?, "title_lower" = ?, "search_text" = ?, "poster_url" = ?,
  "background_url" = ?, "year" = ?, "quality" = ?, "source" = ?, "file_path" = ?, "file_size" = ?,
  "metadata" = ?, "extra" = ?, "updated_at" = ?
where "id" = ?;

-- library.patch (title changed) [5/5]
commit;

-- library.patch (same title) [1/4]
begin;

-- library.patch (same title) [2/4]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra"
from "library_items"
where "id" = ?;

-- library.patch (same title) [3/4]
update "library_items"
set "kind" = ?, "title" = ?, "title_lower" = ?, "search_text" = ?, "poster_url" = ?,
  "background_url" = ?, "year" = ?, "quality" = ?, "source" = ?, "file_path" = ?, "file_size" = ?,
  "metadata" = ?, "extra" = ?, "updated_at" = ?
where "id" = ?;

-- library.patch (same title) [4/4]
commit;

-- library.patch (duplicate title) [1/4]
begin;

-- library.patch (duplicate title) [2/4]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra"
from "library_items"
where "id" = ?;

-- library.patch (duplicate title) [3/4]
select "seq"
from "library_items"
where "kind" = ? and "title_lower" = ? and "id" <> ?;

-- library.patch (duplicate title) [4/4]
commit;

-- library.patch (not found) [1/3]
begin;

-- library.patch (not found) [2/3]
select "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra"
from "library_items"
where "id" = ?;

-- library.patch (not found) [3/3]
commit;

-- library.remove
delete from "library_items"
where "id" = ?
returning "id", "kind", "title", "poster_url", "background_url", "year", "quality", "source",
  "file_path", "file_size", "metadata", "extra";
