-- sessions.create
insert into "sessions" ("id", "user_id", "token_hash", "expires_at", "created_at", "user_agent",
  "ip")
values (?, ?, ?, ?, ?, ?, ?);

-- sessions.get
select "id", "user_id", "token_hash", "expires_at", "created_at", "revoked_at", "revoke_reason",
  "last_used_at", "user_agent", "ip"
from "sessions"
where "id" = ?;

-- sessions.listForUser
select "id", "user_id", "token_hash", "expires_at", "created_at", "revoked_at", "revoke_reason",
  "last_used_at", "user_agent", "ip"
from "sessions"
where "user_id" = ?
order by "created_at", "id";

-- sessions.rotate
update "sessions"
set "token_hash" = ?, "expires_at" = ?, "last_used_at" = ?
where "id" = ? and "token_hash" = ? and "revoked_at" is null;

-- sessions.revoke
update "sessions"
set "revoked_at" = ?, "revoke_reason" = ?
where "id" = ? and "revoked_at" is null;

-- sessions.revokeForUser
update "sessions"
set "revoked_at" = ?, "revoke_reason" = ?
where "user_id" = ? and "revoked_at" is null;

-- sessions.deleteExpired
delete from "sessions"
where "expires_at" < ?;
