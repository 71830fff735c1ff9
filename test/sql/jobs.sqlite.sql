-- jobs.insert
insert into "jobs" ("id", "type", "payload", "status", "attempts", "max_attempts", "run_at",
  "created_at", "updated_at")
values (?, ?, ?, ?, ?, ?, ?, ?, ?);

-- jobs.get
select "id", "type", "payload", "status", "attempts", "max_attempts", "run_at", "locked_by",
  "locked_at", "result", "error", "created_at", "updated_at"
from "jobs"
where "id" = ?;

-- jobs.claim
update "jobs"
set "status" = ?, "locked_by" = ?, "locked_at" = ?, "attempts" = "attempts" + ?, "updated_at" = ?
where "id" = (
  select "id"
  from "jobs"
  where "status" = ? and "run_at" <= ?
  order by "run_at", "created_at", "id"
  limit ?
) and "status" = ?
returning "id", "type", "payload", "status", "attempts", "max_attempts", "run_at", "locked_by",
  "locked_at", "result", "error", "created_at", "updated_at";

-- jobs.complete
update "jobs"
set "status" = ?, "result" = ?, "error" = ?, "locked_by" = ?, "locked_at" = ?, "updated_at" = ?
where "id" = ? and "status" = ? and "locked_by" = ?;

-- jobs.fail (retry later)
update "jobs"
set "status" = ?, "run_at" = ?, "error" = ?, "locked_by" = ?, "locked_at" = ?, "updated_at" = ?
where "id" = ? and "status" = ? and "locked_by" = ?;

-- jobs.fail (for good)
update "jobs"
set "status" = ?, "error" = ?, "locked_by" = ?, "locked_at" = ?, "updated_at" = ?
where "id" = ? and "status" = ? and "locked_by" = ?;

-- jobs.recoverOrphans [1/2]
update "jobs"
set "status" = ?, "error" = ?, "locked_by" = ?, "locked_at" = ?, "updated_at" = ?
where "status" = ? and ("locked_at" is null or "locked_at" < ?) and "attempts" >= "max_attempts";

-- jobs.recoverOrphans [2/2]
update "jobs"
set "status" = ?, "run_at" = ?, "locked_by" = ?, "locked_at" = ?, "updated_at" = ?
where "status" = ? and ("locked_at" is null or "locked_at" < ?);

-- jobs.heartbeat
update "jobs"
set "locked_at" = ?
where "id" = ? and "status" = ? and "locked_by" = ?;

-- jobs.cancel
update "jobs"
set "status" = ?, "error" = ?, "locked_by" = ?, "locked_at" = ?, "updated_at" = ?
where "id" = ? and "status" in (?, ?);

-- jobs.retry
update "jobs"
set "status" = ?, "attempts" = ?, "run_at" = ?, "locked_by" = ?, "locked_at" = ?, "updated_at" = ?
where "id" = ? and "status" = ?;

-- jobs.list
select "id", "type", "payload", "status", "attempts", "max_attempts", "run_at", "locked_by",
  "locked_at", "result", "error", "created_at", "updated_at"
from "jobs"
where "status" = ?
order by "created_at" desc, "id"
limit ?;

-- jobs.countByStatus
select "status", count(*) as "n"
from "jobs"
group by "status";

-- jobs.deleteFinishedBefore
delete from "jobs"
where "status" in (?, ?) and "updated_at" < ?;
