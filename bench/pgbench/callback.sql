-- POST /v1/callback-requests (intake::service::request_callback): the service's transaction, statement for
-- statement, with the values the service binds. pgbench variables set by bench/run with -D:
-- name, phone, pref, concern, source_url, ip, ua, source, wording, categories, granted,
-- payload_cb (the email payload the handler builds), kind_cb, queued, and none ("-": NULLIF(:none,
-- '-') is a NULL parameter where the service binds None, since pgbench cannot bind NULL itself).
--
-- Outside the transaction, what the service has before it starts: the UUIDv7 ids it makes in
-- process and (standing in for the form) a unique email. One cheap round trip more than the SQL
-- needs; the service makes one too (its pool pings each connection it hands out).
SELECT bench_uuid7() AS patient_new, bench_uuids(2) AS consent_ids, bench_uuid7() AS callback_id,
       bench_uuid7() AS email_id, 'pg-cb-' || nextval('bench_email_seq') || '@example.com' AS email
\gset
BEGIN;
-- patients::store::match_or_create
INSERT INTO patients (id, name, email, phone) VALUES (:patient_new, :name, :email, :phone)
         ON CONFLICT (email) DO UPDATE SET phone = COALESCE(patients.phone, EXCLUDED.phone), updated_at = now()
         RETURNING id
\gset pt_
-- intake::store::insert (no clinic_id on the form)
INSERT INTO callback_requests
            (id, patient_id, clinic_id, name, phone, email, preferred_time, concern, source_url, ip, user_agent)
         VALUES (:callback_id, :pt_id, NULLIF(:none, '-')::uuid, :name, :phone, :email, :pref, :concern, :source_url, :ip::inet, :ua)
         RETURNING id, created_at;
-- consent::forms::record -> ledger::record (the form's checked boxes, for its sender)
INSERT INTO consent_events
            (id, patient_id, clinic_id, category, granted, source, wording_version, ip, user_agent, staff_id, note)
         SELECT id, :pt_id, NULLIF(:none, '-')::uuid, category, granted, :source, :wording, :ip::inet, :ua, NULL, NULL
           FROM unnest(:consent_ids::uuid[], :categories::text[], :granted::bool[]) AS t(id, category, granted);
-- email::outbox::enqueue (callback_received: no consent category, so no ledger check)
INSERT INTO email_outbox (id, kind, category, patient_id, clinic_id, callback_request_id, booking_id,
                                   exercise_plan_id, care_plan_id, to_address, payload, status, send_after, dedup_key)
         VALUES (:email_id, :kind_cb, NULLIF(:none, '-'), :pt_id, NULLIF(:none, '-')::uuid, :callback_id, NULLIF(:none, '-')::uuid,
                 NULLIF(:none, '-')::uuid, NULLIF(:none, '-')::uuid, :email, :payload_cb, :queued, COALESCE(NULLIF(:none, '-')::timestamptz, now()), NULLIF(:none, '-'))
         ON CONFLICT (dedup_key) DO NOTHING;
COMMIT;
