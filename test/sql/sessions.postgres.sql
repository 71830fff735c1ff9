-- sessions.create
insert into "sessions" ("id", "user_id", "token_hash", "expires_at", "created_at", "user_agent",
  "ip")
values ($1, $2, $3, $4, $5, $6, $7);

-- sessions.get
select "id", "user_id", "token_hash", "expires_at", "created_at", "revoked_at", "revoke_reason",
  "last_used_at", "user_agent", "ip"
from "sessions"
where "id" = $1;

-- sessions.getWithUser
select "users"."id" as "u_id", "users"."email" as "u_email", "users"."role" as "u_role",
  "sessions"."id" as "id", "sessions"."user_id" as "user_id",
  "sessions"."token_hash" as "token_hash", "sessions"."expires_at" as "expires_at",
  "sessions"."created_at" as "created_at", "sessions"."revoked_at" as "revoked_at",
  "sessions"."revoke_reason" as "revoke_reason", "sessions"."last_used_at" as "last_used_at",
  "sessions"."user_agent" as "user_agent", "sessions"."ip" as "ip"
from "users"
left join "sessions" on "sessions"."id" = $1
where "users"."id" = $2;

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
