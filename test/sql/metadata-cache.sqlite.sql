-- metadataCache.put
insert into "metadata_cache" ("key", "provider", "request", "value", "fetched_at", "expires_at")
values (?, ?, ?, ?, ?, ?)
on conflict ("key") do update
set "request" = ?, "value" = ?, "fetched_at" = ?, "expires_at" = ?;

-- metadataCache.put (renew)
insert into "metadata_cache" ("key", "provider", "request", "value", "fetched_at", "expires_at")
values (?, ?, ?, ?, ?, ?)
on conflict ("key") do update
set "request" = ?, "value" = ?, "fetched_at" = ?, "expires_at" = ?;

-- metadataCache.get
select "value"
from "metadata_cache"
where "key" = ? and "expires_at" > ?;

-- metadataCache.purgeExpired
delete from "metadata_cache"
where "expires_at" <= ?;
