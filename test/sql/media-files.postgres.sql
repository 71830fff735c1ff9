-- mediaFiles.insert [1/3]
begin;

-- mediaFiles.insert [2/3]
insert into "media_files" ("id", "path", "root", "kind", "item_id", "size", "mtime_ms", "quality",
  "parsed", "status", "missing_since", "first_seen_at", "last_seen_at")
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13);

-- mediaFiles.insert [3/3]
commit;

-- mediaFiles.knownUnder
select "id", "path", "size", "mtime_ms", "status", "item_id"
from "media_files"
where "root" = $1;

-- mediaFiles.byPaths
select "id", "path", "size", "mtime_ms", "status", "item_id"
from "media_files"
where "path" in ($1, $2);

-- mediaFiles.update [1/3]
begin;

-- mediaFiles.update [2/3]
update "media_files"
set "item_id" = $1, "size" = $2, "mtime_ms" = $3, "quality" = $4, "parsed" = $5, "status" = $6,
  "missing_since" = $7, "last_seen_at" = $8
where "id" = $9;

-- mediaFiles.update [3/3]
commit;

-- mediaFiles.markMissing
update "media_files"
set "status" = $1, "missing_since" = $2
where "id" in ($3) and "status" = $4;

-- mediaFiles.list
select *
from "media_files"
where "item_id" = $1 and "status" = $2
order by "path";
