-- blocklist.add
insert into "blocklist" ("id", "title", "guid", "link", "indexer", "protocol", "reason")
values ($1, $2, $3, $4, $5, $6, $7)
returning "created_at";

-- blocklist.list
select *
from "blocklist"
order by "created_at", "id";

-- blocklist.matcher [1/3]
select "title"
from "blocklist"
where "title" in ($1);

-- blocklist.matcher [2/3]
select "guid"
from "blocklist"
where "guid" in ($1);

-- blocklist.matcher [3/3]
select "link"
from "blocklist"
where "link" in ($1);

-- blocklist.remove
delete from "blocklist"
where "id" = $1;
