-- GET /manage/{token} (scheduling::manage_page::show): the page a patient opens from a booking
-- email. patient_manage::page reads the booking and the patient's language, then the 14 offered
-- days' free slots (availability::free_slots_on: the practitioner and the clinic's zone, the weekly
-- hours, time off and bookings over the window: from today, Toronto time, - 1 day to today + 13 +
-- 2 days, in UTC). One pooled connection, no transaction (GET changes nothing).
--
-- Each transaction opens one of the bookings wrk opens (bench_manage, made by bench/run through
-- POST /v1/bookings). Reading which is one cheap round trip more than the SQL needs; the service
-- makes one too (it verifies the token's signature, and its pool pings the connections it hands out).
-- Variables set by bench/run with -D: manage_n (how many bookings), w_from and w_to (the window),
-- none ("-": a NULL parameter where the service binds None).
\set k random(0, :manage_n - 1)
SELECT id AS bid, patient_id AS patient, clinic_id AS clinic, practitioner_id AS pid,
       '{' || practitioner_id || '}' AS pids, '{' || practitioner_id || '}' AS busy_pids
  FROM bench_manage WHERE r = :k
\gset
-- scheduling::bookings::find
-- @include booking_find.sql
-- patients::store::reader_locale
SELECT reader_locale(:patient, :clinic) AS locale;
-- scheduling::store::bookable
SELECT p.id, p.name, p.discipline, p.consult_modes, p.active, p.clinic_id, c.time_zone
           FROM practitioners p JOIN clinics c ON c.id = p.clinic_id WHERE p.id = :pid;
-- scheduling::store::schedules
-- @include schedules.sql
-- scheduling::store::busy
-- @include busy.sql
