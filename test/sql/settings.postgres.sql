-- settings.get (absent)
select "key", "value"
from "settings"
where "key" = $1;

-- settings.put
insert into "settings" ("key", "value")
values ($1, $2)
on conflict ("key") do update
set "value" = $3;

-- settings.get
select "key", "value"
from "settings"
where "key" = $1;

-- settings.remove
delete from "settings"
where "key" = $1;
