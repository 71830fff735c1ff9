-- users.insert
insert into "users" ("id", "email", "email_lower", "password_hash", "role", "created_at",
  "updated_at", "last_login_at", "extra")
values (?, ?, ?, ?, ?, ?, ?, ?, ?);

-- users.getById
select "id", "email", "password_hash", "role", "created_at", "updated_at", "last_login_at", "extra"
from "users"
where "id" = ?;

-- users.getByEmail
select "id", "email", "password_hash", "role", "created_at", "updated_at", "last_login_at", "extra"
from "users"
where "email_lower" = ?;

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
set "email" = ?, "email_lower" = ?, "password_hash" = ?, "role" = ?, "created_at" = ?,
  "last_login_at" = ?, "extra" = ?, "updated_at" = ?
where "id" = ?;

-- users.update [3/4]
update "users"
set "updated_at" = ?
where "id" = ?;

-- users.update [4/4]
commit;

-- users.remove [1/4]
begin;

-- users.remove [2/4]
delete from "sessions"
where "user_id" = ?;

-- users.remove [3/4]
delete from "users"
where "id" = ?;

-- users.remove [4/4]
commit;
