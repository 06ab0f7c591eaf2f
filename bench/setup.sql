-- Objects bench/run adds to its own throw-away database (consultdesk_bench_run), never to the app's
-- schema: a UUIDv7 maker for pgbench (the service makes its ids in process, as UUIDv7, so pgbench
-- must insert time-ordered ids too, or its primary-key inserts would scatter over the index), the
-- counters that give every pgbench transaction a unique email and a free slot, and the slot pool.
-- psql variables: practitioners (how many get all-day hours), days (days of slots ahead), slots
-- (pool rows to make), history (past callback requests, and as many past consults).

CREATE FUNCTION bench_uuid7() RETURNS uuid LANGUAGE sql VOLATILE AS $$
  SELECT encode(set_bit(set_bit(
           overlay(uuid_send(gen_random_uuid())
                   PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                   FROM 1 FOR 6),
           52, 1), 53, 1), 'hex')::uuid
$$;

CREATE FUNCTION bench_uuids(n integer) RETURNS uuid[] LANGUAGE sql VOLATILE AS $$
  SELECT array_agg(bench_uuid7()) FROM generate_series(1, n)
$$;

CREATE SEQUENCE bench_email_seq;
CREATE SEQUENCE bench_slot_seq;

-- The practitioners the slot and booking endpoints use: active ones in Eastern-time clinics (the
-- largest zone), spread over many clinics, open every day 00:00-23:59 in 15-minute slots.
CREATE TABLE bench_practitioners AS
  SELECT row_number() OVER (ORDER BY md5(p.id::text)) - 1 AS r, p.id, p.clinic_id, p.consult_modes[1] AS mode
    FROM practitioners p JOIN clinics c ON c.id = p.clinic_id
   WHERE p.active AND c.time_zone = 'America/Toronto'
   ORDER BY md5(p.id::text)
   LIMIT :practitioners;
CREATE UNIQUE INDEX ON bench_practitioners (r);

INSERT INTO practitioner_schedules (practitioner_id, slot_minutes)
  SELECT id, 15 FROM bench_practitioners
  ON CONFLICT (practitioner_id) DO UPDATE SET slot_minutes = 15;
DELETE FROM schedule_ranges WHERE practitioner_id IN (SELECT id FROM bench_practitioners);
INSERT INTO schedule_ranges (practitioner_id, weekday, starts, ends)
  SELECT id, weekday, '00:00', '23:59' FROM bench_practitioners CROSS JOIN generate_series(1, 7) AS weekday;

-- Days ahead (from tomorrow, Toronto time) that are 24 hours long (no DST change), so every
-- local quarter hour from 00:00 to 23:30 is a slot.
CREATE TABLE bench_days AS
  SELECT row_number() OVER (ORDER BY day) - 1 AS d, day
    FROM (SELECT (now() AT TIME ZONE 'America/Toronto')::date + k AS day FROM generate_series(1, :days + 2) AS k) AS days
   WHERE ((day + 1)::timestamp AT TIME ZONE 'America/Toronto') - (day::timestamp AT TIME ZONE 'America/Toronto') = interval '24 hours'
   LIMIT :days;

-- Slot n: practitioner n mod P, day (n / P) mod D, quarter hour n / (P * D): consecutive slots go
-- to different practitioners, and one practitioner's successive bookings to successive days, so no
-- practitioner's day fills up and every busy-interval query reads a few rows, as in real life.
-- Even n are the service's (exported for wrk), odd n are pgbench's.
SELECT count(*) AS bench_p FROM bench_practitioners \gset
SELECT count(*) AS bench_d FROM bench_days \gset
CREATE TABLE bench_slots AS
  SELECT n, p.id AS practitioner_id, p.mode,
         (day.day + make_interval(mins => 15 * (n / (:bench_p * :bench_d))::int))::timestamp AT TIME ZONE 'America/Toronto' AS starts_at,
         (day.day + make_interval(mins => 15 * (n / (:bench_p * :bench_d))::int + 15))::timestamp AT TIME ZONE 'America/Toronto' AS ends_at
    FROM generate_series(0, LEAST(:slots, :bench_p * :bench_d * 95) - 1) AS n
    JOIN bench_practitioners p ON p.r = n % :bench_p
    JOIN bench_days day ON day.d = (n / :bench_p) % :bench_d;
ALTER TABLE bench_slots ADD PRIMARY KEY (n);

-- History, as a clinic network that has been running has it: past patients (each with the four
-- consents), callback requests and completed consults, each with its email sent. Besides realism
-- this matters for the comparison: connections that plan their statements (and their foreign-key
-- checks) against empty tables keep those plans while the tables fill, so the service's long-lived
-- pool would be measured against empty-table plans and pgbench's fresh connections would not.
INSERT INTO patients (id, name, email, phone, created_at, updated_at)
  SELECT bench_uuid7(), 'Past Patient ' || k, 'past-' || k || '@example.com', '+1416555' || lpad((k % 10000)::text, 4, '0'),
         now() - k * interval '10 minutes', now() - k * interval '10 minutes'
    FROM generate_series(1, :history * 2) AS k;
INSERT INTO consent_events (id, patient_id, category, granted, source, wording_version, ip, user_agent, created_at)
  SELECT bench_uuid7(), p.id, c.category, c.granted, 'web_form', '2026-12-consult-form-v2', '127.0.0.1', 'Mozilla/5.0 (history)', p.created_at
    FROM patients p
   CROSS JOIN (VALUES ('appointment_reminders', true), ('exercise_plans', true)) AS c(category, granted)
   WHERE p.email LIKE 'past-%';
CREATE TEMP TABLE past AS
  SELECT id, name, email, phone, created_at, row_number() OVER (ORDER BY created_at) AS k
    FROM patients WHERE email LIKE 'past-%';
INSERT INTO callback_requests (id, patient_id, name, phone, email, preferred_time, concern, source_url, status,
                               ip, user_agent, created_at, updated_at)
  SELECT bench_uuid7(), id, name, phone, email, 'morning', 'Knee pain when running', 'https://clinic.example/contact',
         (ARRAY['contacted', 'booked', 'closed'])[1 + k % 3], '127.0.0.1', 'Mozilla/5.0 (history)', created_at, created_at
    FROM past WHERE k % 2 = 0;
INSERT INTO bookings (id, practitioner_id, clinic_id, patient_id, starts_at, ends_at, mode, status, name, email,
                      phone, concern, ip, user_agent, created_at, updated_at, confirmed_at)
  SELECT bench_uuid7(), bp.id, bp.clinic_id, past.id,
         date_trunc('hour', now()) - interval '1 day' - (past.k / 2 / :bench_p) * interval '1 hour',
         date_trunc('hour', now()) - interval '1 day' - (past.k / 2 / :bench_p) * interval '1 hour' + interval '15 minutes',
         bp.mode, 'completed', past.name, past.email, past.phone, 'Lower back pain after lifting', '127.0.0.1',
         'Mozilla/5.0 (history)', past.created_at, past.created_at, past.created_at
    FROM past JOIN bench_practitioners bp ON bp.r = (past.k / 2) % :bench_p
   WHERE past.k % 2 = 1;
-- Upcoming consults: five confirmed ones per open practitioner over the coming two weeks, between
-- 10:00 and 15:00 local (the slot pool's bookings start at midnight and never get that far), each
-- with its reminder queued for 24 hours before, as confirming a booking leaves it.
INSERT INTO bookings (id, practitioner_id, clinic_id, patient_id, starts_at, ends_at, mode, status, name, email,
                      phone, concern, ip, user_agent, created_at, updated_at, confirmed_at)
  SELECT bench_uuid7(), bp.id, bp.clinic_id, past.id,
         (day.day + make_interval(hours => (10 + (bp.r + j) % 6)::int))::timestamp AT TIME ZONE 'America/Toronto',
         (day.day + make_interval(hours => (10 + (bp.r + j) % 6)::int, mins => 15))::timestamp AT TIME ZONE 'America/Toronto',
         bp.mode, 'confirmed', past.name, past.email, past.phone, 'Lower back pain after lifting', '127.0.0.1',
         'Mozilla/5.0 (history)', now() - interval '3 days', now() - interval '2 days', now() - interval '2 days'
    FROM bench_practitioners bp
   CROSS JOIN generate_series(0, 4) AS j
    JOIN bench_days day ON day.d = (j * 3 + bp.r) % :bench_d
    JOIN past ON past.k = 1 + (bp.r * 5 + j) % (:history * 2);
INSERT INTO email_outbox (id, kind, category, patient_id, clinic_id, booking_id, to_address, payload, status,
                          send_after, dedup_key)
  SELECT bench_uuid7(), 'appointment_reminder', 'appointment_reminders', patient_id, clinic_id, id, email,
         jsonb_build_object('booking_id', id, 'patient_name', name), 'queued',
         greatest(starts_at - interval '24 hours', now() + interval '2 hours'), 'reminder:' || id || ':0'
    FROM bookings WHERE status = 'confirmed';
INSERT INTO email_outbox (id, kind, patient_id, callback_request_id, to_address, payload, status, attempts,
                          send_after, created_at, sent_at, smtp_response)
  SELECT bench_uuid7(), 'callback_received', patient_id, id, email,
         jsonb_build_object('name', name, 'preferred_time', preferred_time, 'phone', phone), 'sent', 1,
         created_at, created_at, created_at + interval '1 second', '250 2.0.0 Ok: queued'
    FROM callback_requests;
INSERT INTO email_outbox (id, kind, patient_id, clinic_id, booking_id, to_address, payload, status, attempts,
                          send_after, created_at, sent_at, smtp_response, dedup_key)
  SELECT bench_uuid7(), 'booking_requested', patient_id, clinic_id, id, email,
         jsonb_build_object('booking_id', id, 'patient_name', name), 'sent', 1,
         created_at, created_at, created_at + interval '1 second', '250 2.0.0 Ok: queued', 'booking:' || id || ':requested'
    FROM bookings WHERE status = 'completed';

-- A steady state, as autovacuum keeps it: statistics, and visibility maps set, so index-only scans
-- (weekly hours) are costed as they run in production.
VACUUM ANALYZE;
