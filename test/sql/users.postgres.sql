-- users.insert
insert into "users" ("id", "email", "email_lower", "password_hash", "role", "created_at",
  "updated_at", "last_login_at", "extra")
values ($1, $2, $3, $4, $5, $6, $7, $8, $9);

-- users.getById
select "id", "email", "password_hash", "role", "created_at", "updated_at", "last_login_at", "extra"
from "users"
where "id" = $1;

-- users.getByEmail
select "id", "email", "password_hash", "role", "created_at", "updated_at", "last_login_at", "extra"
from "users"
where "email_lower" = $1;

-- users.count
select count(*) as "n"
from "users";

-- users.list
select "id", "email", "password_hash", "role", "created_at", "updated_at", "last_login_at", "extra"
from "users"
order by "created_at", "id";

-- users.update [1/4]
begin;

-- users.update [2/4]
update "users"
set "email" = $1, "email_lower" = $2, "password_hash" = $3, "role" = $4, "created_at" = $5,
  "last_login_at" = $6, "extra" = $7, "updated_at" = $8
where "id" = $9;

-- users.update [3/4]
update "users"
set "updated_at" = $1
where "id" = $2;

-- users.update [4/4]
commit;

-- users.remove [1/4]
begin;

-- users.remove [2/4]
delete from "sessions"
where "user_id" = $1;

-- users.remove [3/4]
delete from "users"
where "id" = $1;

-- users.remove [4/4]
commit;
