-- appState.set
insert into "app_state" ("key", "value", "updated_at")
values ($1, $2, $3)
on conflict ("key") do update
set "value" = $4, "updated_at" = $5;

-- appState.get
select "value"
from "app_state"
where "key" = $1;

-- appState.list
select "key", "value", "updated_at"
from "app_state"
where "key" like $1
order by "key";

-- appState.remove
delete from "app_state"
where "key" = $1;
