-- downloaders.save [1/5]
begin;

-- downloaders.save [2/5]
insert into "downloaders" ("id", "client_type", "enabled", "base_url", "username",
  "encrypted_password", "encrypted_api_key", "category", "timeout_ms", "config")
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
on conflict ("id") do update
set "enabled" = "excluded"."enabled", "base_url" = "excluded"."base_url",
  "username" = "excluded"."username", "encrypted_password" = "excluded"."encrypted_password",
  "encrypted_api_key" = "excluded"."encrypted_api_key", "category" = "excluded"."category",
  "timeout_ms" = "excluded"."timeout_ms", "config" = "excluded"."config";

-- downloaders.save [3/5]
insert into "downloaders" ("id", "client_type", "enabled", "base_url", "username",
  "encrypted_password", "encrypted_api_key", "category", "timeout_ms", "config")
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
on conflict ("id") do update
set "enabled" = "excluded"."enabled", "base_url" = "excluded"."base_url",
  "username" = "excluded"."username", "encrypted_password" = "excluded"."encrypted_password",
  "encrypted_api_key" = "excluded"."encrypted_api_key", "category" = "excluded"."category",
  "timeout_ms" = "excluded"."timeout_ms", "config" = "excluded"."config";

-- downloaders.save [4/5]
delete from "downloaders"
where "client_type" in ($1);

-- downloaders.save [5/5]
commit;

-- downloaders.get
select "client_type", "enabled", "base_url", "username", "category", "timeout_ms", "config",
  "encrypted_password", "encrypted_api_key"
from "downloaders";

-- downloaders.upsertRows [1/3]
begin;

-- downloaders.upsertRows [2/3]
insert into "downloaders" ("id", "client_type", "enabled", "base_url", "username",
  "encrypted_password", "encrypted_api_key", "category", "timeout_ms", "config")
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
on conflict ("id") do update
set "enabled" = "excluded"."enabled", "base_url" = "excluded"."base_url",
  "username" = "excluded"."username", "encrypted_password" = "excluded"."encrypted_password",
  "encrypted_api_key" = "excluded"."encrypted_api_key", "category" = "excluded"."category",
  "timeout_ms" = "excluded"."timeout_ms", "config" = "excluded"."config";

-- downloaders.upsertRows [3/3]
commit;

-- downloaders.clientTypes
select "client_type"
from "downloaders"
order by "client_type";
