-- quality.getMap
select "value"
from "settings"
where "key" = $1;

-- quality.saveMap
insert into "settings" ("key", "value")
values ($1, $2)
on conflict ("key") do update
set "value" = $3;

-- quality.listProfiles (no file)
select "value"
from "settings"
where "key" = $1;

-- quality.addProfile (no file: defaults first) [1/7]
begin;

-- quality.addProfile (no file: defaults first) [2/7]
select "value"
from "settings"
where "key" = $1;

-- quality.addProfile (no file: defaults first) [3/7]
insert into "settings" ("key", "value")
values ($1, $2)
on conflict ("key") do update
set "value" = $3;

-- quality.addProfile (no file: defaults first) [4/7]
delete from "quality_profiles";

-- quality.addProfile (no file: defaults first) [5/7]
insert into "quality_profiles" ("id", "name", "description", "upgrade_allowed", "cutoff",
  "qualities", "min_size", "max_size", "position", "config")
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- quality.addProfile (no file: defaults first) [6/7]
insert into "quality_profiles" ("id", "name", "description", "upgrade_allowed", "cutoff",
  "qualities", "min_size", "max_size", "position", "config")
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- quality.addProfile (no file: defaults first) [7/7]
commit;

-- quality.addProfile [1/6]
begin;

-- quality.addProfile [2/6]
select "value"
from "settings"
where "key" = $1;

-- quality.addProfile [3/6]
select "id", "name", "description", "upgrade_allowed", "cutoff", "qualities", "min_size",
  "max_size", "position", "config"
from "quality_profiles"
order by "position", "id";

-- quality.addProfile [4/6]
select max("position") as "max"
from "quality_profiles";

-- quality.addProfile [5/6]
insert into "quality_profiles" ("id", "name", "description", "upgrade_allowed", "cutoff",
  "qualities", "min_size", "max_size", "position", "config")
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- quality.addProfile [6/6]
commit;

-- quality.listProfiles [1/2]
select "value"
from "settings"
where "key" = $1;

-- quality.listProfiles [2/2]
select "id", "name", "description", "upgrade_allowed", "cutoff", "qualities", "min_size",
  "max_size", "position", "config"
from "quality_profiles"
order by "position", "id";

-- quality.patchProfile [1/9]
begin;

-- quality.patchProfile [2/9]
select "value"
from "settings"
where "key" = $1;

-- quality.patchProfile [3/9]
select "id", "name", "description", "upgrade_allowed", "cutoff", "qualities", "min_size",
  "max_size", "position", "config"
from "quality_profiles"
order by "position", "id";

-- quality.patchProfile [4/9]
insert into "settings" ("key", "value")
values ($1, $2)
on conflict ("key") do update
set "value" = $3;

-- quality.patchProfile [5/9]
delete from "quality_profiles";

-- quality.patchProfile [6/9]
insert into "quality_profiles" ("id", "name", "description", "upgrade_allowed", "cutoff",
  "qualities", "min_size", "max_size", "position", "config")
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- quality.patchProfile [7/9]
insert into "quality_profiles" ("id", "name", "description", "upgrade_allowed", "cutoff",
  "qualities", "min_size", "max_size", "position", "config")
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- quality.patchProfile [8/9]
insert into "quality_profiles" ("id", "name", "description", "upgrade_allowed", "cutoff",
  "qualities", "min_size", "max_size", "position", "config")
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- quality.patchProfile [9/9]
commit;

-- quality.removeProfile [1/8]
begin;

-- quality.removeProfile [2/8]
select "value"
from "settings"
where "key" = $1;

-- quality.removeProfile [3/8]
select "id", "name", "description", "upgrade_allowed", "cutoff", "qualities", "min_size",
  "max_size", "position", "config"
from "quality_profiles"
order by "position", "id";

-- quality.removeProfile [4/8]
insert into "settings" ("key", "value")
values ($1, $2)
on conflict ("key") do update
set "value" = $3;

-- quality.removeProfile [5/8]
delete from "quality_profiles";

-- quality.removeProfile [6/8]
insert into "quality_profiles" ("id", "name", "description", "upgrade_allowed", "cutoff",
  "qualities", "min_size", "max_size", "position", "config")
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- quality.removeProfile [7/8]
insert into "quality_profiles" ("id", "name", "description", "upgrade_allowed", "cutoff",
  "qualities", "min_size", "max_size", "position", "config")
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- quality.removeProfile [8/8]
commit;

-- quality.replaceProfiles [1/6]
begin;

-- quality.replaceProfiles [2/6]
select "value"
from "settings"
where "key" = $1;

-- quality.replaceProfiles [3/6]
insert into "settings" ("key", "value")
values ($1, $2)
on conflict ("key") do update
set "value" = $3;

-- quality.replaceProfiles [4/6]
delete from "quality_profiles";

-- quality.replaceProfiles [5/6]
insert into "quality_profiles" ("id", "name", "description", "upgrade_allowed", "cutoff",
  "qualities", "min_size", "max_size", "position", "config")
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- quality.replaceProfiles [6/6]
commit;

-- quality.getProfilesFile [1/2]
select "value"
from "settings"
where "key" = $1;

-- quality.getProfilesFile [2/2]
select "id", "name", "description", "upgrade_allowed", "cutoff", "qualities", "min_size",
  "max_size", "position", "config"
from "quality_profiles"
order by "position", "id";

-- quality.putProfilesFile [1/5]
begin;

-- quality.putProfilesFile [2/5]
delete from "quality_profiles";

-- quality.putProfilesFile [3/5]
insert into "settings" ("key", "value")
values ($1, $2)
on conflict ("key") do update
set "value" = $3;

-- quality.putProfilesFile [4/5]
insert into "quality_profiles" ("id", "name", "description", "upgrade_allowed", "cutoff",
  "qualities", "min_size", "max_size", "position", "config")
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- quality.putProfilesFile [5/5]
commit;

-- quality.putProfilesFile (remove) [1/4]
begin;

-- quality.putProfilesFile (remove) [2/4]
delete from "quality_profiles";

-- quality.putProfilesFile (remove) [3/4]
delete from "settings"
where "key" = $1;

-- quality.putProfilesFile (remove) [4/4]
commit;
