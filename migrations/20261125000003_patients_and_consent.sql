-- A patient is one person, matched across forms and bookings by email (case-insensitive).
-- People who leave no email get a patient of their own (phone only).
CREATE TABLE patients (
  id         uuid PRIMARY KEY,
  name       text NOT NULL CONSTRAINT patients_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
  email      citext CONSTRAINT patients_email_key UNIQUE,
  phone      text CONSTRAINT patients_phone_e164 CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The consent ledger: every grant and withdrawal is a row; the current state is the newest row per category.
CREATE TABLE consent_events (
  id              uuid PRIMARY KEY,
  patient_id      uuid NOT NULL REFERENCES patients (id),
  category        text NOT NULL CONSTRAINT consent_events_category_check
                    CHECK (category IN ('appointment_reminders', 'exercise_plans', 'plans_of_care', 'service_updates')),
  granted         boolean NOT NULL,
  source          text NOT NULL CONSTRAINT consent_events_source_check
                    CHECK (source IN ('web_form', 'unsubscribe_link', 'one_click', 'staff')),
  wording_version text NOT NULL,
  ip              inet,
  user_agent      text,
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- Serves "newest row per (patient, category)"; ids are UUIDv7, so id order is insertion order.
CREATE INDEX consent_events_current ON consent_events (patient_id, category, id DESC);
CREATE TRIGGER consent_events_append_only BEFORE UPDATE OR DELETE ON consent_events
  FOR EACH ROW EXECUTE FUNCTION forbid_row_change();
