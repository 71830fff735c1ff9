-- grabs.put [1/4]
begin;

-- grabs.put [2/4]
select ("ok" = $1 or cast("status" as text) = $2) as "queued"
from "grabs"
where "key" = $3
for update;

-- grabs.put [3/4]
insert into "grabs" ("key", "kind", "item_id", "library_item_id", "title", "link", "protocol",
  "client", "ok", "status", "at", "category", "nzb_upload", "position", "extra")
values ($1, $2, $3, (select "id" from "library_items" where "id" = $4), $5, $6, $7, $8, $9, $10,
  $11, $12, $13, (select coalesce(max("position"), -1) + $14 as "p" from "grabs"), $15)
on conflict ("key") do update
set "kind" = "excluded"."kind", "item_id" = "excluded"."item_id",
  "library_item_id" = "excluded"."library_item_id", "title" = "excluded"."title",
  "link" = "excluded"."link", "protocol" = "excluded"."protocol", "client" = "excluded"."client",
  "ok" = "excluded"."ok", "status" = "excluded"."status", "at" = "excluded"."at",
  "category" = "excluded"."category", "nzb_upload" = "excluded"."nzb_upload",
  "extra" = "excluded"."extra"
returning ("ok" = $16 or cast("status" as text) = $17) as "queued", xmax = 0 as "inserted";

-- grabs.put [4/4]
commit;

-- grabs.get
select "key", "kind", "item_id", "title", "link", "protocol", "client", "ok", "status", "at",
  "category", "nzb_upload", "extra"
from "grabs"
where "key" = $1;

-- grabs.list
select "key", "kind", "item_id", "title", "link", "protocol", "client", "ok", "status", "at",
  "category", "nzb_upload", "extra"
from "grabs"
order by "position", "key";

-- grabs.insertRows [1/3]
begin;

-- grabs.insertRows [2/3]
insert into "grabs" ("key", "kind", "item_id", "library_item_id", "title", "link", "protocol",
  "client", "ok", "status", "at", "category", "nzb_upload", "position", "extra")
values ($1, $2, $3, (select "id" from "library_items" where "id" = $4), $5, $6, $7, $8, $9, $10,
  $11, $12, $13, $14, $15)
on conflict ("key") do update
set "kind" = "excluded"."kind", "item_id" = "excluded"."item_id",
  "library_item_id" = "excluded"."library_item_id", "title" = "excluded"."title",
  "link" = "excluded"."link", "protocol" = "excluded"."protocol", "client" = "excluded"."client",
  "ok" = "excluded"."ok", "status" = "excluded"."status", "at" = "excluded"."at",
  "category" = "excluded"."category", "nzb_upload" = "excluded"."nzb_upload",
  "extra" = "excluded"."extra", "position" = "excluded"."position";

-- grabs.insertRows [3/3]
commit;

-- grabs.count
select count(*) as "n"
from "grabs";

-- grabs.historyPage
select "key", "kind", "item_id", "title", "link", "protocol", "client", "ok", "status", "at",
  "category", "nzb_upload", "extra", "position"
from "grabs"
where "at" is not null
order by "at" desc, "key" desc
limit $1;

-- grabs.historyPage (after) [1/2]
select "key", "kind", "item_id", "title", "link", "protocol", "client", "ok", "status", "at",
  "category", "nzb_upload", "extra", "position"
from "grabs"
where "at" is not null and ("at", "key") < ($1, $2)
order by "at" desc, "key" desc
limit $3;

-- grabs.historyPage (after) [2/2]
select "key", "kind", "item_id", "title", "link", "protocol", "client", "ok", "status", "at",
  "category", "nzb_upload", "extra", "position"
from "grabs"
where "at" is null
order by "key" desc
limit $1;

-- grabs.queuePage (after)
select "key", "kind", "item_id", "title", "link", "protocol", "client", "ok", "status", "at",
  "category", "nzb_upload", "extra", "position"
from "grabs"
where ("ok" = $1 or cast("status" as text) = $2) and ("position", "key") > ($3, $4)
order by "position", "key"
limit $5;

-- grabs.countQueue
select count(*) as "n"
from "grabs"
where ("ok" = $1 or cast("status" as text) = $2);
