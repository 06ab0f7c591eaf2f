-- GET /v1/practitioners/{id}/slots (scheduling::availability::free_slots): one
-- connection, no transaction: the practitioner and their clinic's zone, their weekly hours, and
-- their time off and bookings over the shown week (from today, Toronto time, to today + 6, widened
-- to cover any zone: from - 1 day to to + 2 days, in UTC).
--
-- Each transaction asks for one of the practitioners wrk asks for (the first :practitioners of
-- bench_practitioners, open all day, every day). Reading which is one cheap round trip more
-- than the SQL needs; the service makes one too (its pool pings each connection it hands out).
-- Variables set by bench/run with -D: practitioners (how many), w_from and w_to (the week's
-- window), none ("-": NULLIF(:none, '-') is a NULL parameter where the service binds None).
\set k random(0, :practitioners - 1)
SELECT id AS pid, '{' || id || '}' AS pids, '{' || id || '}' AS busy_pids FROM bench_practitioners WHERE r = :k
\gset
-- scheduling::store::bookable
SELECT p.id, p.name, p.discipline, p.consult_modes, p.active, p.clinic_id, c.time_zone
           FROM practitioners p JOIN clinics c ON c.id = p.clinic_id WHERE p.id = :pid;
-- scheduling::store::schedules
-- @include schedules.sql
-- scheduling::store::busy
-- @include busy.sql
