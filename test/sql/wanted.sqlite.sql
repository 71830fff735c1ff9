-- wanted.add
insert into "wanted_items" ("id", "library_item_id", "item_id", "title", "kind", "last_search_at",
  "last_scan", "added_at", "position", "metadata")
values (?, (select "id" from "library_items" where "id" = ?), ?, ?, ?, ?, ?, ?,
  (select coalesce(max(position), -1) + 1 as "p" from "wanted_items"), ?)
on conflict do nothing
returning "id";

-- wanted.add (already wanted)
insert into "wanted_items" ("id", "library_item_id", "item_id", "title", "kind", "last_search_at",
  "last_scan", "added_at", "position", "metadata")
values (?, (select "id" from "library_items" where "id" = ?), ?, ?, ?, ?, ?, ?,
  (select coalesce(max(position), -1) + 1 as "p" from "wanted_items"), ?)
on conflict do nothing
returning "id";

-- wanted.list
select "item_id", "title", "kind", "added_at", "last_scan", "metadata"
from "wanted_items"
order by "position", "id";

-- wanted.recordScans [1/4]
begin;

-- wanted.recordScans [2/4]
select "item_id", "title", "kind", "added_at", "last_scan", "metadata"
from "wanted_items"
where "kind" = ? and "item_id" = ?;

-- wanted.recordScans [3/4]
update "wanted_items"
set "last_scan" = ?, "last_search_at" = ?, "metadata" = ?, "added_at" = ?
where "kind" = ? and "item_id" = ?;

-- wanted.recordScans [4/4]
commit;

-- wanted.listBySearchAge
select "item_id", "title", "kind", "added_at", "last_scan", "metadata", "id",
  coalesce(last_search_at, '') as "searched_at"
from "wanted_items"
order by coalesce(last_search_at, ''), "id"
limit ?;

-- wanted.listBySearchAge (next batch)
select "item_id", "title", "kind", "added_at", "last_scan", "metadata", "id",
  coalesce(last_search_at, '') as "searched_at"
from "wanted_items"
where coalesce(last_search_at, '') >= ? and (coalesce(last_search_at, '') > ? or "id" > ?)
order by coalesce(last_search_at, ''), "id"
limit ?;

-- wanted.linkToLibrary
update "wanted_items"
set "library_item_id" = "item_id"
where "library_item_id" is null
  and exists (
  select "library_items"."seq"
  from "library_items"
  where "library_items"."id" = "wanted_items"."item_id"
);

-- wanted.remove
delete from "wanted_items"
where "kind" = ? and "item_id" = ?;
