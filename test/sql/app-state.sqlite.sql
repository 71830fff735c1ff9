-- appState.set
insert into "app_state" ("key", "value", "updated_at")
values (?, ?, ?)
on conflict ("key") do update
set "value" = ?, "updated_at" = ?;

-- appState.get
select "value"
from "app_state"
where "key" = ?;
