-- locks.acquire
insert into "locks" ("name", "holder", "acquired_at", "heartbeat_at")
values ($1, $2, $3, $4)
on conflict ("name") do nothing;

-- locks.acquire (busy) [1/2]
insert into "locks" ("name", "holder", "acquired_at", "heartbeat_at")
values ($1, $2, $3, $4)
on conflict ("name") do nothing;

-- locks.acquire (busy) [2/2]
select "holder", "acquired_at", "heartbeat_at"
from "locks"
where "name" = $1;

-- locks.current
select "holder", "acquired_at", "heartbeat_at"
from "locks"
where "name" = $1;

-- locks.heartbeat
update "locks"
set "heartbeat_at" = $1
where "name" = $2 and "holder" = $3;

-- locks.release
delete from "locks"
where "name" = $1 and "holder" = $2;
