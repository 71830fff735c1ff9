-- sessions.create
insert into "sessions" ("id", "user_id", "token_hash", "expires_at", "created_at", "user_agent",
  "ip")
values (?, ?, ?, ?, ?, ?, ?);

-- sessions.get
select "id", "user_id", "token_hash", "expires_at", "created_at", "revoked_at", "revoke_reason",
  "last_used_at", "user_agent", "ip"
from "sessions"
where "id" = ?;

-- sessions.getWithUser
select "users"."id" as "u_id", "users"."email" as "u_email", "users"."role" as "u_role",
  "sessions"."id" as "id", "sessions"."user_id" as "user_id",
  "sessions"."token_hash" as "token_hash", "sessions"."expires_at" as "expires_at",
  "sessions"."created_at" as "created_at", "sessions"."revoked_at" as "revoked_at",
  "sessions"."revoke_reason" as "revoke_reason", "sessions"."last_used_at" as "last_used_at",
  "sessions"."user_agent" as "user_agent", "sessions"."ip" as "ip"
from "users"
left join "sessions" on "sessions"."id" = ?
where "users"."id" = ?;

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
