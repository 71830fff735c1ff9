-- metadataCache.put
insert into "metadata_cache" ("key", "provider", "request", "value", "fetched_at", "expires_at")
values ($1, $2, $3, $4, $5, $6)
on conflict ("key") do update
set "request" = $7, "value" = $8, "fetched_at" = $9, "expires_at" = $10;

-- metadataCache.put (renew)
insert into "metadata_cache" ("key", "provider", "request", "value", "fetched_at", "expires_at")
values ($1, $2, $3, $4, $5, $6)
on conflict ("key") do update
set "request" = $7, "value" = $8, "fetched_at" = $9, "expires_at" = $10;

-- metadataCache.get
select "value"
from "metadata_cache"
where "key" = $1 and "expires_at" > $2;

-- metadataCache.purgeExpired
delete from "metadata_cache"
where "expires_at" <= $1;
