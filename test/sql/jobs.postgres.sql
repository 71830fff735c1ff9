-- jobs.insert
insert into "jobs" ("id", "type", "payload", "status", "attempts", "max_attempts", "run_at",
  "created_at", "updated_at")
values ($1, $2, $3, $4, $5, $6, $7, $8, $9);

-- jobs.get
select "id", "type", "payload", "status", "attempts", "max_attempts", "run_at", "locked_by",
  "locked_at", "result", "error", "created_at", "updated_at"
from "jobs"
where "id" = $1;

-- jobs.claim
update "jobs"
set "status" = $1, "locked_by" = $2, "locked_at" = $3, "attempts" = "attempts" + $4,
  "updated_at" = $5
where "id" = (
  select "id"
  from "jobs"
  where "status" = $6 and "run_at" <= $7
  order by "run_at", "created_at", "id"
  limit $8
  for update skip locked
) and "status" = $9
returning "id", "type", "payload", "status", "attempts", "max_attempts", "run_at", "locked_by",
  "locked_at", "result", "error", "created_at", "updated_at";

-- jobs.complete
update "jobs"
set "status" = $1, "result" = $2, "error" = $3, "locked_by" = $4, "locked_at" = $5,
  "updated_at" = $6
where "id" = $7 and "status" = $8 and "locked_by" = $9;

-- jobs.fail (retry later)
update "jobs"
set "status" = $1, "run_at" = $2, "error" = $3, "locked_by" = $4, "locked_at" = $5,
  "updated_at" = $6
where "id" = $7 and "status" = $8 and "locked_by" = $9;

-- jobs.fail (for good)
update "jobs"
set "status" = $1, "error" = $2, "locked_by" = $3, "locked_at" = $4, "updated_at" = $5
where "id" = $6 and "status" = $7 and "locked_by" = $8;

-- jobs.recoverOrphans [1/2]
update "jobs"
set "status" = $1, "error" = $2, "locked_by" = $3, "locked_at" = $4, "updated_at" = $5
where "status" = $6 and ("locked_at" is null or "locked_at" < $7) and "attempts" >= "max_attempts";

-- jobs.recoverOrphans [2/2]
update "jobs"
set "status" = $1, "run_at" = $2, "locked_by" = $3, "locked_at" = $4, "updated_at" = $5
where "status" = $6 and ("locked_at" is null or "locked_at" < $7);

-- jobs.heartbeat
update "jobs"
set "locked_at" = $1
where "id" = $2 and "status" = $3 and "locked_by" = $4;

-- jobs.cancel
update "jobs"
set "status" = $1, "error" = $2, "locked_by" = $3, "locked_at" = $4, "updated_at" = $5
where "id" = $6 and "status" in ($7, $8);

-- jobs.retry
update "jobs"
set "status" = $1, "attempts" = $2, "run_at" = $3, "locked_by" = $4, "locked_at" = $5,
  "updated_at" = $6
where "id" = $7 and "status" = $8;

-- jobs.list
select "id", "type", "payload", "status", "attempts", "max_attempts", "run_at", "locked_by",
  "locked_at", "result", "error", "created_at", "updated_at"
from "jobs"
where "status" = $1
order by "created_at" desc, "id"
limit $2;

-- jobs.countByStatus
select "status", count(*) as "n"
from "jobs"
group by "status";

-- jobs.deleteFinishedBefore
delete from "jobs"
where "status" in ($1, $2) and "updated_at" < $3;
