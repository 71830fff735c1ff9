-- mediaFiles.insert [1/3]
begin;

-- mediaFiles.insert [2/3]
insert into "media_files" ("id", "path", "root", "kind", "item_id", "size", "mtime_ms", "quality",
  "parsed", "status", "missing_since", "first_seen_at", "last_seen_at")
values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- mediaFiles.insert [3/3]
commit;

-- mediaFiles.knownUnder
select "id", "path", "size", "mtime_ms", "status", "item_id"
from "media_files"
where "root" = ?;

-- mediaFiles.byPaths
select "id", "path", "size", "mtime_ms", "status", "item_id"
from "media_files"
where "path" in (?, ?);

-- mediaFiles.update [1/3]
begin;

-- mediaFiles.update [2/3]
update "media_files"
set "item_id" = ?, "size" = ?, "mtime_ms" = ?, "quality" = ?, "parsed" = ?, "status" = ?,
  "missing_since" = ?, "last_seen_at" = ?
where "id" = ?;

-- mediaFiles.update [3/3]
commit;

-- mediaFiles.markMissing
update "media_files"
set "status" = ?, "missing_since" = ?
where "id" in (?) and "status" = ?;

-- mediaFiles.list
select *
from "media_files"
where "item_id" = ? and "status" = ?
order by "path";
