-- grabs.put [1/2]
select ("ok" = ? or cast("status" as text) = ?) as "queued"
from "grabs"
where "key" = ?;

-- grabs.put [2/2]
insert into "grabs" ("key", "kind", "item_id", "library_item_id", "title", "link", "protocol",
  "client", "ok", "status", "at", "category", "nzb_upload", "position", "extra")
values (?, ?, ?, (select "id" from "library_items" where "id" = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?,
  (select coalesce(max("position"), -1) + ? as "p" from "grabs"), ?)
on conflict ("key") do update
set "kind" = "excluded"."kind", "item_id" = "excluded"."item_id",
  "library_item_id" = "excluded"."library_item_id", "title" = "excluded"."title",
  "link" = "excluded"."link", "protocol" = "excluded"."protocol", "client" = "excluded"."client",
  "ok" = "excluded"."ok", "status" = "excluded"."status", "at" = "excluded"."at",
  "category" = "excluded"."category", "nzb_upload" = "excluded"."nzb_upload",
  "extra" = "excluded"."extra"
returning ("ok" = ? or cast("status" as text) = ?) as "queued";

-- grabs.get
select "key", "kind", "item_id", "title", "link", "protocol", "client", "ok", "status", "at",
  "category", "nzb_upload", "extra"
from "grabs"
where "key" = ?;

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
values (?, ?, ?, (select "id" from "library_items" where "id" = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
on conflict ("key") do update
set "kind" = "excluded"."kind", "item_id" = "excluded"."item_id",
  "library_item_id" = "excluded"."library_item_id", "title" = "excluded"."title",
  "link" = "excluded"."link", "protocol" = "excluded"."protocol", "client" = "excluded"."client",
  "ok" = "excluded"."ok", "status" = "excluded"."status", "at" = "excluded"."at",
  "category" = "excluded"."category", "nzb_upload" = "excluded"."nzb_upload",
  "extra" = "excluded"."extra", "position" = "excluded"."position";

-- grabs.insertRows [3/3]
commit;

-- grabs.count [1/2]
pragma data_version;

-- grabs.count [2/2]
select count(*) as "n"
from "grabs";

-- grabs.historyPage
select "key", "kind", "item_id", "title", "link", "protocol", "client", "ok", "status", "at",
  "category", "nzb_upload", "extra", "position"
from "grabs"
where "at" is not null
order by "at" desc, "key" desc
limit ?;

-- grabs.historyPage (after) [1/2]
select "key", "kind", "item_id", "title", "link", "protocol", "client", "ok", "status", "at",
  "category", "nzb_upload", "extra", "position"
from "grabs"
where "at" is not null and ("at", "key") < (?, ?)
order by "at" desc, "key" desc
limit ?;

-- grabs.historyPage (after) [2/2]
select "key", "kind", "item_id", "title", "link", "protocol", "client", "ok", "status", "at",
  "category", "nzb_upload", "extra", "position"
from "grabs"
where "at" is null
order by "key" desc
limit ?;

-- grabs.queuePage (after)
select "key", "kind", "item_id", "title", "link", "protocol", "client", "ok", "status", "at",
  "category", "nzb_upload", "extra", "position"
from "grabs"
where ("ok" = ? or cast("status" as text) = ?) and ("position", "key") > (?, ?)
order by "position", "key"
limit ?;

-- grabs.countQueue [1/2]
pragma data_version;

-- grabs.countQueue [2/2]
select count(*) as "n"
from "grabs"
where ("ok" = ? or cast("status" as text) = ?);
