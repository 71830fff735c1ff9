-- verify.putResult
insert into "verify_results" ("key", "kind", "item_id", "library_item_id", "title", "phase",
  "top_severity", "analyzed_at", "path", "issues", "position", "extra")
values ($1, $2, $3, (select "id" from "library_items" where "id" = $4), $5, $6, $7, $8, $9, $10,
  (select coalesce(max("position") + $11, 0) as "p" from "verify_results"), $12)
on conflict ("key") do update
set "library_item_id" = "excluded"."library_item_id", "title" = "excluded"."title",
  "phase" = "excluded"."phase", "top_severity" = "excluded"."top_severity",
  "analyzed_at" = "excluded"."analyzed_at", "path" = "excluded"."path",
  "issues" = "excluded"."issues", "extra" = "excluded"."extra";

-- verify.getResult
select "key", "kind", "item_id", "title", "phase", "top_severity", "analyzed_at", "path", "issues",
  "extra"
from "verify_results"
where "key" = $1;

-- verify.listResults
select "key", "kind", "item_id", "title", "phase", "top_severity", "analyzed_at", "path", "issues",
  "extra"
from "verify_results"
order by "position", "key";

-- verify.insertResultRows
insert into "verify_results" ("key", "kind", "item_id", "library_item_id", "title", "phase",
  "top_severity", "analyzed_at", "path", "issues", "position", "extra")
values ($1, $2, $3, (select "id" from "library_items" where "id" = $4), $5, $6, $7, $8, $9, $10,
  $11, $12)
on conflict ("key") do update
set "library_item_id" = "excluded"."library_item_id", "title" = "excluded"."title",
  "phase" = "excluded"."phase", "top_severity" = "excluded"."top_severity",
  "analyzed_at" = "excluded"."analyzed_at", "path" = "excluded"."path",
  "issues" = "excluded"."issues", "extra" = "excluded"."extra";

-- verifyJobs.insert
insert into "verify_jobs" ("id", "library_item_id", "item_id", "kind", "title", "phase", "status",
  "path", "result", "error", "started_at", "completed_at", "created_at")
values ($1, (select "id" from "library_items" where "id" = $2), $3, $4, $5, $6, $7, $8, $9, $10,
  $11, $12, $13);

-- verifyJobs.get
select "id", "item_id", "kind", "title", "phase", "status", "path", "result", "error",
  "started_at", "completed_at", "created_at"
from "verify_jobs"
where "id" = $1;

-- verifyJobs.markRunning
update "verify_jobs"
set "status" = $1, "started_at" = $2, "error" = $3
where "id" = $4;

-- verifyJobs.markQueued
update "verify_jobs"
set "status" = $1, "error" = $2
where "id" = $3;

-- verifyJobs.markCompleted
update "verify_jobs"
set "status" = $1, "result" = $2, "error" = $3, "completed_at" = $4
where "id" = $5;

-- verifyJobs.markFailed
update "verify_jobs"
set "status" = $1, "error" = $2, "completed_at" = $3
where "id" = $4;
