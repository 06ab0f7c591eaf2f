-- POST /v1/bookings (scheduling::public_booking::book): the service's transaction, statement for
-- statement, with the values the service binds. pgbench variables set by bench/run with -D: name,
-- phone, concern, ip, ua, source, wording, categories, granted, payload_bk (an email payload as
-- the handler builds it), kind_bk, queued, yes ("true"), noclinics ("{}") and none ("-":
-- NULLIF(:none, '-') is a NULL parameter where the service binds None).
--
-- Outside the transaction, what the service has before it starts: the next free slot of
-- pgbench's half of the pool (bench_slots, odd n; the service books the even ones, so no request
-- of either ever meets a taken slot), the booking window the handler computes from it, a unique
-- email, and the UUIDv7 ids the service makes in process. One cheap round trip more than the SQL
-- needs; the service makes one too (its pool pings each connection it hands out).
SELECT s.practitioner_id AS pid, '{' || s.practitioner_id || '}' AS pids,
       '{' || s.practitioner_id || '}' AS busy_pids, s.starts_at AS slot_start,
       s.ends_at AS slot_end, s.mode AS slot_mode, s.starts_at - interval '1 day' AS w_from,
       s.starts_at + interval '1 day' AS w_to, 'pg-bk-' || s.n || '@example.com' AS email,
       ids.patient_new, ids.consent_ids, ids.booking_id, ids.email_id,
       concat_ws(chr(58), 'booking', ids.booking_id, 'requested') AS dedup
  FROM bench_slots s,
       (SELECT bench_uuid7() AS patient_new, bench_uuids(2) AS consent_ids, bench_uuid7() AS booking_id,
               bench_uuid7() AS email_id) AS ids
 WHERE s.n = 2 * (SELECT nextval('bench_slot_seq')) + 1
\gset
BEGIN;
-- scheduling::store::bookable
SELECT p.id, p.name, p.discipline, p.consult_modes, p.active, p.clinic_id, c.time_zone
           FROM practitioners p JOIN clinics c ON c.id = p.clinic_id WHERE p.id = :pid
\gset b_
-- check_slot: scheduling::store::schedules for the one practitioner
-- @include schedules.sql
-- check_slot: scheduling::store::busy, a day either side of the slot
-- @include busy.sql
-- patients::store::match_or_create
INSERT INTO patients (id, name, email, phone) VALUES (:patient_new, :name, :email, :phone)
         ON CONFLICT (email) DO UPDATE SET phone = COALESCE(patients.phone, EXCLUDED.phone), updated_at = now()
         RETURNING id
\gset pt_
-- scheduling::bookings::insert
INSERT INTO bookings (id, practitioner_id, clinic_id, patient_id, starts_at, ends_at, mode,
                               name, email, phone, concern, ip, user_agent)
         VALUES (:booking_id, :pid, :b_clinic_id, :pt_id, :slot_start, :slot_end, :slot_mode, :name, :email, :phone, :concern, :ip::inet, :ua);
-- consent::forms::record -> ledger::record (the form's checked boxes, for its sender)
INSERT INTO consent_events
            (id, patient_id, clinic_id, category, granted, source, wording_version, ip, user_agent, staff_id, note)
         SELECT id, :pt_id, :b_clinic_id, category, granted, :source, :wording, :ip::inet, :ua, NULL, NULL
           FROM unnest(:consent_ids::uuid[], :categories::text[], :granted::bool[]) AS t(id, category, granted);
-- scheduling::bookings::find (read back for the answer and the email)
SELECT b.id, b.status, b.starts_at, b.ends_at, b.mode, b.patient_id, b.name,
     b.email::text AS email, b.phone, b.concern, b.ics_sequence, b.cancel_reason, b.created_at, b.updated_at,
     b.confirmed_at, b.cancelled_at, p.id AS practitioner_id, p.name AS practitioner_name, p.discipline,
     c.id AS clinic_id, c.name AS clinic_name, c.address, c.city, c.province, c.postal_code,
     c.phone AS clinic_phone, c.latitude, c.longitude, c.time_zone FROM bookings b JOIN practitioners p ON p.id = b.practitioner_id JOIN clinics c ON c.id = b.clinic_id
          WHERE b.id = :booking_id AND (:yes OR b.clinic_id = ANY(:noclinics));
-- scheduling::notify::requested -> email::outbox::enqueue (booking_requested: no consent category)
INSERT INTO email_outbox (id, kind, category, patient_id, clinic_id, callback_request_id, booking_id,
                                   exercise_plan_id, care_plan_id, to_address, payload, status, send_after, dedup_key)
         VALUES (:email_id, :kind_bk, NULLIF(:none, '-'), :pt_id, :b_clinic_id, NULLIF(:none, '-')::uuid, :booking_id,
                 NULLIF(:none, '-')::uuid, NULLIF(:none, '-')::uuid, :email, :payload_bk, :queued, COALESCE(NULLIF(:none, '-')::timestamptz, now()), :dedup)
         ON CONFLICT (dedup_key) DO NOTHING;
-- scheduling::open_requests::admit, last: the advisory locks of the email and the client network
-- (the first 8 bytes of SHA-256 of each key, as open_requests::lock_keys makes them, in order),
-- then the open requests of each
SELECT pg_advisory_xact_lock(key)
  FROM unnest(ARRAY(SELECT ('x' || left(encode(sha256(convert_to(k, 'UTF8')), 'hex'), 16))::bit(64)::int8 AS key
                      FROM unnest(ARRAY['open-requests email ' || lower(:email),
                                        'open-requests network ' || set_masklen(:ip::inet, 32)::text]) AS k
                     ORDER BY key)) AS key;
SELECT count(*) FILTER (WHERE email = :email::citext) AS by_email,
                min(starts_at) FILTER (WHERE email = :email::citext) AS email_soonest,
                count(*) FILTER (WHERE ip <<= set_masklen(:ip::inet, 32)) AS by_network,
                min(starts_at) FILTER (WHERE ip <<= set_masklen(:ip::inet, 32)) AS network_soonest
           FROM bookings
          WHERE status = 'requested' AND starts_at > now() AND id <> :booking_id
            AND (email = :email::citext OR ip <<= set_masklen(:ip::inet, 32));
COMMIT;
