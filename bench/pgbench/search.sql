-- GET /v1/practitioners?near=LAT,LNG&radius_km=25&limit=20 (src/directory/public.rs): one
-- connection, no transaction: the search (search_statement.sql), then next_available for the page
-- (scheduling::availability::next_available: the weekly hours of the page's practitioners, and,
-- when some have hours, their time off and bookings over the next 31 days).
--
-- Each transaction searches from one of the origins wrk uses (bench_search_origins, filled by
-- bench/run with each origin's page as the service answered it: the ids next_available gets, and
-- those of them with hours). Reading the origin is one cheap round trip more than the SQL needs;
-- the service makes one too (its pool pings each connection it hands out). Variables set by
-- bench/run with -D: origins (how many), radius (25000), limit (21), w_from and w_to (the
-- next_available window: now + lead - 1 day, + 33 days), none ("-": NULLIF(:none, '-') is a NULL
-- parameter where the service binds None, since pgbench cannot bind NULL itself).
-- Keep in step with src/directory/search.rs.
\set origin random(0, :origins - 1)
SELECT lng, lat, ids AS pids, sids AS busy_pids, with_hours FROM bench_search_origins WHERE i = :origin
\gset
-- @include search_statement.sql
-- next_available: scheduling::store::schedules for the page
-- @include schedules.sql
-- next_available: scheduling::store::busy for those with hours, when there are any
\if :with_hours > 0
-- @include busy.sql
\endif
