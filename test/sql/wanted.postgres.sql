-- wanted.add
insert into "wanted_items" ("id", "library_item_id", "item_id", "title", "kind", "last_search_at",
  "last_scan", "added_at", "position", "metadata")
values ($1, (select "id" from "library_items" where "id" = $2), $3, $4, $5, $6, $7, $8,
  (select coalesce(max(position), -1) + 1 as "p" from "wanted_items"), $9)
on conflict do nothing
returning "id";

-- wanted.add (already wanted)
insert into "wanted_items" ("id", "library_item_id", "item_id", "title", "kind", "last_search_at",
  "last_scan", "added_at", "position", "metadata")
values ($1, (select "id" from "library_items" where "id" = $2), $3, $4, $5, $6, $7, $8,
  (select coalesce(max(position), -1) + 1 as "p" from "wanted_items"), $9)
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
where "kind" = $1 and "item_id" = $2;

-- wanted.recordScans [3/4]
update "wanted_items"
set "last_scan" = $1, "last_search_at" = $2, "metadata" = $3, "added_at" = $4
where "kind" = $5 and "item_id" = $6;

-- wanted.recordScans [4/4]
commit;

-- wanted.listBySearchAge
select "item_id", "title", "kind", "added_at", "last_scan", "metadata", "id",
  coalesce(last_search_at, '') as "searched_at"
from "wanted_items"
order by coalesce(last_search_at, ''), "id"
limit $1;

-- wanted.listBySearchAge (next batch)
select "item_id", "title", "kind", "added_at", "last_scan", "metadata", "id",
  coalesce(last_search_at, '') as "searched_at"
from "wanted_items"
where coalesce(last_search_at, '') >= $1 and (coalesce(last_search_at, '') > $2 or "id" > $3)
order by coalesce(last_search_at, ''), "id"
limit $4;

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
where "kind" = $1 and "item_id" = $2;
