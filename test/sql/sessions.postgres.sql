-- sessions.create
insert into "sessions" ("id", "user_id", "token_hash", "expires_at", "created_at", "user_agent",
  "ip")
values ($1, $2, $3, $4, $5, $6, $7);

-- sessions.get
select "id", "user_id", "token_hash", "expires_at", "created_at", "revoked_at", "revoke_reason",
  "last_used_at", "user_agent", "ip"
from "sessions"
where "id" = $1;

-- sessions.listForUser
select "id", "user_id", "token_hash", "expires_at", "created_at", "revoked_at", "revoke_reason",
  "last_used_at", "user_agent", "ip"
from "sessions"
where "user_id" = $1
order by "created_at", "id";

-- sessions.rotate
update "sessions"
set "token_hash" = $1, "expires_at" = $2, "last_used_at" = $3
where "id" = $4 and "token_hash" = $5 and "revoked_at" is null;

-- sessions.revoke
update "sessions"
set "revoked_at" = $1, "revoke_reason" = $2
where "id" = $3 and "revoked_at" is null;

-- sessions.revokeForUser
update "sessions"
set "revoked_at" = $1, "revoke_reason" = $2
where "user_id" = $3 and "revoked_at" is null;

-- sessions.deleteExpired
delete from "sessions"
where "expires_at" < $1;
