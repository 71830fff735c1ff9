-- audit.insert
insert into "audit_log" ("at", "actor", "entity", "entity_id", "action", "before", "after")
values ($1, $2, $3, $4, $5, $6, $7);

-- audit.list (filtered, after a cursor)
select *
from "audit_log"
where "entity" = $1 and "actor" = $2 and "at" >= $3 and "at" < $4
  and ("at" < $5 or ("at" = $6 and "seq" < $7))
order by "at" desc, "seq" desc
limit $8;

-- audit.deleteBefore
delete from "audit_log"
where "at" < $1;
