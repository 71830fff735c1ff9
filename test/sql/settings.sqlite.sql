-- settings.get (absent)
select "key", "value"
from "settings"
where "key" = ?;

-- settings.put
insert into "settings" ("key", "value")
values (?, ?)
on conflict ("key") do update
set "value" = ?;

-- settings.get
select "key", "value"
from "settings"
where "key" = ?;

-- settings.remove
delete from "settings"
where "key" = ?;
