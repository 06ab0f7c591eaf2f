-- Consent is given to a sender. The clinics on one deployment are separate businesses, so a consent
-- row now names the clinic it was given to (NULL: the network that runs the site), and the state in
-- force is the newest row per (patient, sender, category). Staff-recorded rows name the staff member.

ALTER TABLE consent_events ADD COLUMN clinic_id uuid REFERENCES clinics (id);
ALTER TABLE consent_events ADD COLUMN staff_id uuid REFERENCES staff (id);
ALTER TABLE consent_events ADD COLUMN note text
  CONSTRAINT consent_events_note_length CHECK (char_length(note) <= 500);
ALTER TABLE consent_events DROP CONSTRAINT consent_events_source_check;
ALTER TABLE consent_events ADD CONSTRAINT consent_events_source_check CHECK (source IN (
  'web_form', 'email_confirmation', 'unsubscribe_link', 'one_click', 'manage_link', 'staff'));
CREATE INDEX consent_events_clinic ON consent_events (clinic_id, patient_id) WHERE clinic_id IS NOT NULL;

-- Existing rows keep their meaning. The ledger is append-only; its guard is lifted for this
-- migration alone, which only fills the new column in and adds copies.
ALTER TABLE consent_events DISABLE TRIGGER consent_events_append_only;

-- A form's rows go to the clinic of that form: the callback or booking of the same patient written
-- in the same transaction (its created_at is the transaction's start, so at or before the rows').
UPDATE consent_events e
   SET clinic_id = (
     SELECT f.clinic_id FROM (
       SELECT c.clinic_id, c.created_at, c.id FROM callback_requests c
        WHERE c.patient_id = e.patient_id AND c.created_at <= e.created_at
       UNION ALL
       SELECT b.clinic_id, b.created_at, b.id FROM bookings b
        WHERE b.patient_id = e.patient_id AND b.created_at <= e.created_at
     ) f
     ORDER BY f.created_at DESC, f.id DESC
     LIMIT 1)
 WHERE e.source = 'web_form';

-- A copy of a row sorts next to it: the same first 8 bytes of its UUIDv7 (the time, to a fraction
-- of a millisecond), then random bytes.
CREATE FUNCTION pg_temp.copy_id(original uuid) RETURNS uuid LANGUAGE sql AS $$
  SELECT encode(substring(uuid_send(original) FROM 1 FOR 8)
                || substring(uuid_send(gen_random_uuid()) FROM 9 FOR 8), 'hex')::uuid
$$;

-- A form for a clinic granted to that clinic and to the network.
INSERT INTO consent_events (id, patient_id, clinic_id, category, granted, source, wording_version, ip, user_agent, created_at)
SELECT pg_temp.copy_id(e.id), e.patient_id, NULL, e.category, e.granted, e.source, e.wording_version, e.ip, e.user_agent, e.created_at
  FROM consent_events e
 WHERE e.source = 'web_form' AND e.clinic_id IS NOT NULL;

-- Changes made from an email link (or by staff) applied to the whole person: they stay with the
-- network and are copied to every clinic the person dealt with, so nobody receives an email they
-- had withdrawn from.
INSERT INTO consent_events (id, patient_id, clinic_id, category, granted, source, wording_version, ip, user_agent, created_at)
SELECT pg_temp.copy_id(e.id), e.patient_id, clinics.clinic_id, e.category, e.granted, e.source, e.wording_version, e.ip, e.user_agent, e.created_at
  FROM consent_events e
  JOIN (SELECT patient_id, clinic_id FROM callback_requests WHERE clinic_id IS NOT NULL
        UNION SELECT patient_id, clinic_id FROM bookings
        UNION SELECT patient_id, clinic_id FROM exercise_plans WHERE clinic_id IS NOT NULL
        UNION SELECT patient_id, clinic_id FROM care_plans WHERE clinic_id IS NOT NULL) clinics
    ON clinics.patient_id = e.patient_id
 WHERE e.source IN ('unsubscribe_link', 'one_click', 'staff') AND e.clinic_id IS NULL;

ALTER TABLE consent_events ENABLE TRIGGER consent_events_append_only;

-- A public form can only add consent; withdrawals come from the mailbox or from staff. Earlier rows
-- (unchecked boxes used to withdraw) and their copies above are kept as they were: NOT VALID
-- checks only rows written from now on.
ALTER TABLE consent_events ADD CONSTRAINT consent_events_forms_only_grant
  CHECK (source NOT IN ('web_form', 'email_confirmation') OR granted) NOT VALID;
ALTER TABLE consent_events ADD CONSTRAINT consent_events_staff_named
  CHECK (source <> 'staff' OR staff_id IS NOT NULL) NOT VALID;

-- service_updates is double opt-in: a form's grant waits here until the person confirms it from
-- the link in a `consent_confirmation` email (valid 7 days). The link is signed with SIGNING_KEY
-- over this row's id, so no token is stored at all.
CREATE TABLE consent_confirmations (
  id              uuid PRIMARY KEY,
  patient_id      uuid NOT NULL REFERENCES patients (id),
  -- The form's clinic (NULL: a network form), and whether the form also named the network: the
  -- confirmed grant goes to exactly the senders the form's words named.
  clinic_id       uuid REFERENCES clinics (id),
  to_network      boolean NOT NULL,
  category        text NOT NULL CONSTRAINT consent_confirmations_category_check
                    CHECK (category IN ('appointment_reminders', 'exercise_plans', 'plans_of_care', 'service_updates')),
  wording_version text NOT NULL,
  ip              inet,
  user_agent      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL,
  confirmed_at    timestamptz,
  CONSTRAINT consent_confirmations_expiry CHECK (expires_at > created_at)
);
CREATE INDEX consent_confirmations_patient_id ON consent_confirmations (patient_id);

ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_kind_check;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_kind_check CHECK (kind IN (
  'callback_received', 'booking_requested', 'booking_confirmed', 'booking_rescheduled',
  'booking_cancelled', 'appointment_reminder', 'exercise_plan', 'care_plan', 'consent_confirmation'));
