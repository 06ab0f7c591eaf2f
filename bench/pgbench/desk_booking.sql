-- GET /desk/bookings/{id} (desk::bookings::show): a booking's page at the front desk. The cookie's
-- session and scope (desk::extract); the booking's file in one read-only transaction
-- (scheduling::desk::file: the booking scoped to the member's clinic, the consents in force there,
-- the booking's emails); then the reschedule form's 14 days of free slots
-- (availability::free_slots: practitioner and zone, weekly hours, time off and bookings over the
-- window). Each transaction opens one of the bookings wrk opens (bench_desk_bookings; reading which
-- is one cheap round trip more than the SQL needs). Variables set by bench/run with -D:
-- token_hash, clinic_id, clinic_ids ({clinic_id}), desk_n (how many bookings), w_from and w_to (the window), none.
\set k random(0, :desk_n - 1)
SELECT id AS bid, patient_id AS patient, practitioner_id AS pid,
       '{' || practitioner_id || '}' AS pids, '{' || practitioner_id || '}' AS busy_pids
  FROM bench_desk_bookings WHERE r = :k
\gset
-- @include session_holder.sql
BEGIN;
SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY;
SELECT b.id, b.status, b.starts_at, b.ends_at, b.mode, b.patient_id, b.name,
     b.email::text AS email, b.phone, b.concern, b.ics_sequence, b.cancel_reason, b.created_at, b.updated_at,
     b.confirmed_at, b.cancelled_at, b.changed_by, p.id AS practitioner_id, p.name AS practitioner_name, p.discipline,
     c.id AS clinic_id, c.name AS clinic_name, c.address, c.city, c.province, c.postal_code,
     c.phone AS clinic_phone, c.latitude, c.longitude, c.time_zone FROM bookings b JOIN practitioners p ON p.id = b.practitioner_id JOIN clinics c ON c.id = b.clinic_id
          WHERE b.id = :bid AND (false OR b.clinic_id = ANY(:clinic_ids));
SELECT DISTINCT ON (clinic_id, category)
                id, clinic_id, category, granted, source, wording_version, host(ip) AS ip,
                user_agent, staff_id, note, created_at
           FROM consent_events
          WHERE patient_id = :patient ORDER BY clinic_id, category, id DESC;
SELECT id, kind, to_address::text AS "to", status, attempts, last_error, created_at, sent_at
           FROM email_outbox WHERE booking_id = :bid ORDER BY created_at, id;
COMMIT;
-- scheduling::store::bookable
SELECT p.id, p.name, p.discipline, p.consult_modes, p.active, p.clinic_id, c.time_zone
           FROM practitioners p JOIN clinics c ON c.id = p.clinic_id WHERE p.id = :pid;
-- @include schedules.sql
-- @include busy.sql
