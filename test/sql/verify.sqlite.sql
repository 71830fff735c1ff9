-- verify.putResult
insert into "verify_results" ("key", "kind", "item_id", "library_item_id", "title", "phase",
  "top_severity", "analyzed_at", "path", "issues", "position", "extra")
values (?, ?, ?, (select "id" from "library_items" where "id" = ?), ?, ?, ?, ?, ?, ?,
  (select coalesce(max("position") + ?, 0) as "p" from "verify_results"), ?)
on conflict ("key") do update
set "library_item_id" = "excluded"."library_item_id", "title" = "excluded"."title",
  "phase" = "excluded"."phase", "top_severity" = "excluded"."top_severity",
  "analyzed_at" = "excluded"."analyzed_at", "path" = "excluded"."path",
  "issues" = "excluded"."issues", "extra" = "excluded"."extra";

-- verify.getResult
select "key", "kind", "item_id", "title", "phase", "top_severity", "analyzed_at", "path", "issues",
  "extra"
from "verify_results"
where "key" = ?;

-- verify.listResults
select "key", "kind", "item_id", "title", "phase", "top_severity", "analyzed_at", "path", "issues",
  "extra"
from "verify_results"
order by "position", "key";

-- verify.insertResultRows
insert into "verify_results" ("key", "kind", "item_id", "library_item_id", "title", "phase",
  "top_severity", "analyzed_at", "path", "issues", "position", "extra")
values (?, ?, ?, (select "id" from "library_items" where "id" = ?), ?, ?, ?, ?, ?, ?, ?, ?)
on conflict ("key") do update
set "library_item_id" = "excluded"."library_item_id", "title" = "excluded"."title",
  "phase" = "excluded"."phase", "top_severity" = "excluded"."top_severity",
  "analyzed_at" = "excluded"."analyzed_at", "path" = "excluded"."path",
  "issues" = "excluded"."issues", "extra" = "excluded"."extra";

-- verifyJobs.insert
insert into "verify_jobs" ("id", "library_item_id", "item_id", "kind", "title", "phase", "status",
  "path", "result", "error", "started_at", "completed_at", "created_at")
values (?, (select "id" from "library_items" where "id" = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- verifyJobs.get
select "id", "item_id", "kind", "title", "phase", "status", "path", "result", "error",
  "started_at", "completed_at", "created_at"
from "verify_jobs"
where "id" = ?;

-- verifyJobs.markRunning
update "verify_jobs"
set "status" = ?, "started_at" = ?, "error" = ?
where "id" = ?;

-- verifyJobs.markQueued
update "verify_jobs"
set "status" = ?, "error" = ?
where "id" = ?;

-- verifyJobs.markCompleted
update "verify_jobs"
set "status" = ?, "result" = ?, "error" = ?, "completed_at" = ?
where "id" = ?;

-- verifyJobs.markFailed
update "verify_jobs"
set "status" = ?, "error" = ?, "completed_at" = ?
where "id" = ?;
