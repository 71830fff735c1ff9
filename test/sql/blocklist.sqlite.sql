-- blocklist.add
insert into "blocklist" ("id", "title", "guid", "link", "indexer", "protocol", "reason")
values (?, ?, ?, ?, ?, ?, ?)
returning "created_at";

-- blocklist.list
select *
from "blocklist"
order by "created_at", "id";

-- blocklist.matcher [1/3]
select "title"
from "blocklist"
where "title" in (?);

-- blocklist.matcher [2/3]
select "guid"
from "blocklist"
where "guid" in (?);

-- blocklist.matcher [3/3]
select "link"
from "blocklist"
where "link" in (?);

-- blocklist.remove
delete from "blocklist"
where "id" = ?;
