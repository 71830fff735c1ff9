-- indexers.replaceDocument [1/6]
begin;

-- indexers.replaceDocument [2/6]
delete from "indexers";

-- indexers.replaceDocument [3/6]
insert into "settings" ("key", "value")
values ($1, $2)
on conflict ("key") do update
set "value" = $3;

-- indexers.replaceDocument [4/6]
insert into "indexers" ("id", "name", "type", "protocol", "base_url", "encrypted_api_key",
  "enabled", "priority", "position", "config")
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- indexers.replaceDocument [5/6]
insert into "indexers" ("id", "name", "type", "protocol", "base_url", "encrypted_api_key",
  "enabled", "priority", "position", "config")
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- indexers.replaceDocument [6/6]
commit;

-- indexers.get [1/2, concurrent]
select "id", "name", "type", "protocol", "base_url", "enabled", "priority", "position", "config",
  "encrypted_api_key"
from "indexers"
order by "position", "id";

-- indexers.get [2/2, concurrent]
select "value"
from "settings"
where "key" = $1;

-- indexers.getSources
select "value"
from "settings"
where "key" = $1;

-- indexers.listIndexers
select "id", "name", "type", "protocol", "base_url", "enabled", "priority", "position", "config",
  "encrypted_api_key"
from "indexers"
order by "position", "id";

-- indexers.saveSources
insert into "settings" ("key", "value")
values ($1, $2)
on conflict ("key") do update
set "value" = $3;

-- indexers.addIndexer [1/4]
begin;

-- indexers.addIndexer [2/4]
select max("position") as "max"
from "indexers";

-- indexers.addIndexer [3/4]
insert into "indexers" ("id", "name", "type", "protocol", "base_url", "encrypted_api_key",
  "enabled", "priority", "position", "config")
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- indexers.addIndexer [4/4]
commit;

-- indexers.patchIndexer [1/4]
begin;

-- indexers.patchIndexer [2/4]
select "id", "name", "type", "protocol", "base_url", "enabled", "priority", "position", "config",
  "encrypted_api_key"
from "indexers"
where "id" = $1;

-- indexers.patchIndexer [3/4]
update "indexers"
set "name" = $1, "type" = $2, "protocol" = $3, "base_url" = $4, "encrypted_api_key" = $5,
  "enabled" = $6, "priority" = $7, "position" = $8, "config" = $9
where "id" = $10;

-- indexers.patchIndexer [4/4]
commit;

-- indexers.removeIndexer [1/4]
begin;

-- indexers.removeIndexer [2/4]
select "id", "name", "type", "protocol", "base_url", "enabled", "priority", "position", "config",
  "encrypted_api_key"
from "indexers"
where "id" = $1;

-- indexers.removeIndexer [3/4]
delete from "indexers"
where "id" = $1;

-- indexers.removeIndexer [4/4]
commit;

-- indexers.syncIndexers [1/6]
begin;

-- indexers.syncIndexers [2/6]
select "id", "type"
from "indexers";

-- indexers.syncIndexers [3/6]
delete from "indexers"
where "id" in ($1);

-- indexers.syncIndexers [4/6]
select max("position") as "max"
from "indexers";

-- indexers.syncIndexers [5/6]
insert into "indexers" ("id", "name", "type", "protocol", "base_url", "encrypted_api_key",
  "enabled", "priority", "position", "config")
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- indexers.syncIndexers [6/6]
commit;
