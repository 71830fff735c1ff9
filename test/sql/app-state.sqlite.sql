-- appState.set
insert into "app_state" ("key", "value", "updated_at")
values (?, ?, ?)
on conflict ("key") do update
set "value" = ?, "updated_at" = ?;

-- appState.get
select "value"
from "app_state"
where "key" = ?;

-- appState.list
select "key", "value", "updated_at"
from "app_state"
where "key" like ?
order by "key";

-- appState.remove
delete from "app_state"
where "key" = ?;
