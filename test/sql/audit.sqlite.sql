-- audit.insert
insert into "audit_log" ("at", "actor", "entity", "entity_id", "action", "before", "after")
values (?, ?, ?, ?, ?, ?, ?);

-- audit.list (filtered, after a cursor)
select *
from "audit_log"
where "entity" = ? and "actor" = ? and "at" >= ? and "at" < ?
  and ("at" < ? or ("at" = ? and "seq" < ?))
order by "at" desc, "seq" desc
limit ?;

-- audit.deleteBefore
delete from "audit_log"
where "at" < ?;
