-- locks.acquire
insert into "locks" ("name", "holder", "acquired_at", "heartbeat_at")
values (?, ?, ?, ?)
on conflict ("name") do nothing;

-- locks.acquire (busy) [1/2]
insert into "locks" ("name", "holder", "acquired_at", "heartbeat_at")
values (?, ?, ?, ?)
on conflict ("name") do nothing;

-- locks.acquire (busy) [2/2]
select "holder", "acquired_at", "heartbeat_at"
from "locks"
where "name" = ?;

-- locks.current
select "holder", "acquired_at", "heartbeat_at"
from "locks"
where "name" = ?;

-- locks.heartbeat
update "locks"
set "heartbeat_at" = ?
where "name" = ? and "holder" = ?;

-- locks.release
delete from "locks"
where "name" = ? and "holder" = ?;
