-- indexers.replaceDocument [1/6]
begin;

-- indexers.replaceDocument [2/6]
delete from "indexers";

-- indexers.replaceDocument [3/6]
insert into "settings" ("key", "value")
values (?, ?)
on conflict ("key") do update
set "value" = ?;

-- indexers.replaceDocument [4/6]
insert into "indexers" ("id", "name", "type", "protocol", "base_url", "encrypted_api_key",
  "enabled", "priority", "position", "config")
values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- indexers.replaceDocument [5/6]
insert into "indexers" ("id", "name", "type", "protocol", "base_url", "encrypted_api_key",
  "enabled", "priority", "position", "config")
values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

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
where "key" = ?;

-- indexers.getSources
select "value"
from "settings"
where "key" = ?;

-- indexers.listIndexers
select "id", "name", "type", "protocol", "base_url", "enabled", "priority", "position", "config",
  "encrypted_api_key"
from "indexers"
order by "position", "id";

-- indexers.saveSources
insert into "settings" ("key", "value")
values (?, ?)
on conflict ("key") do update
set "value" = ?;

-- indexers.addIndexer [1/4]
begin;

-- indexers.addIndexer [2/4]
select max("position") as "max"
from "indexers";

-- indexers.addIndexer [3/4]
insert into "indexers" ("id", "name", "type", "protocol", "base_url", "encrypted_api_key",
  "enabled", "priority", "position", "config")
values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- indexers.addIndexer [4/4]
commit;

-- indexers.patchIndexer [1/4]
begin;

-- indexers.patchIndexer [2/4]
select "id", "name", "type", "protocol", "base_url", "enabled", "priority", "position", "config",
  "encrypted_api_key"
from "indexers"
where "id" = ?;

-- indexers.patchIndexer [3/4]
update "indexers"
set "name" = ?, "type" = ?, "protocol" = ?, "base_url" = ?, "encrypted_api_key" = ?, "enabled" = ?,
  "priority" = ?, "position" = ?, "config" = ?
where "id" = ?;

-- indexers.patchIndexer [4/4]
commit;

-- indexers.removeIndexer [1/4]
begin;

-- indexers.removeIndexer [2/4]
select "id", "name", "type", "protocol", "base_url", "enabled", "priority", "position", "config",
  "encrypted_api_key"
from "indexers"
where "id" = ?;

-- indexers.removeIndexer [3/4]
delete from "indexers"
where "id" = ?;

-- indexers.removeIndexer [4/4]
commit;

-- indexers.syncIndexers [1/6]
begin;

-- indexers.syncIndexers [2/6]
select "id", "type"
from "indexers";

-- indexers.syncIndexers [3/6]
delete from "indexers"
where "id" in (?);

-- indexers.syncIndexers [4/6]
select max("position") as "max"
from "indexers";

-- indexers.syncIndexers [5/6]
insert into "indexers" ("id", "name", "type", "protocol", "base_url", "encrypted_api_key",
  "enabled", "priority", "position", "config")
values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- indexers.syncIndexers [6/6]
commit;
