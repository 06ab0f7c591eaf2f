-- "Fill out this form and get a call back." Contact details are kept as submitted on the request:
-- the patient row keeps what it first learned, so an anonymous form cannot rewrite someone's record.
CREATE TABLE callback_requests (
  id             uuid PRIMARY KEY,
  patient_id     uuid NOT NULL REFERENCES patients (id),
  clinic_id      uuid REFERENCES clinics (id),
  name           text NOT NULL,
  phone          text NOT NULL,
  email          citext,
  preferred_time text NOT NULL CONSTRAINT callback_requests_preferred_time_check
                   CHECK (preferred_time IN ('morning', 'afternoon', 'evening', 'anytime')),
  concern        text CONSTRAINT callback_requests_concern_length CHECK (char_length(concern) <= 2000),
  source_url     text,
  status         text NOT NULL DEFAULT 'new' CONSTRAINT callback_requests_status_check
                   CHECK (status IN ('new', 'contacted', 'booked', 'closed')),
  note           text,
  ip             inet,
  user_agent     text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX callback_requests_queue ON callback_requests (clinic_id, status, created_at, id);
CREATE INDEX callback_requests_patient_id ON callback_requests (patient_id);

-- Idempotency-Key support for public POSTs: the first response is stored in the same transaction
-- as the rows it describes, so a replay is either the whole first answer or nothing.
CREATE TABLE idempotency_keys (
  scope           text NOT NULL,
  key             text NOT NULL,
  request_hash    bytea NOT NULL,
  response_status smallint NOT NULL,
  response_body   jsonb NOT NULL,
  location        text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);

-- The transactional outbox: emails are rows written with the change that causes them; a worker sends them.
CREATE TABLE email_outbox (
  id                  uuid PRIMARY KEY,
  kind                text NOT NULL CONSTRAINT email_outbox_kind_check CHECK (kind IN (
                        'callback_received', 'booking_requested', 'booking_confirmed', 'booking_rescheduled',
                        'booking_cancelled', 'appointment_reminder', 'exercise_plan', 'care_plan')),
  -- The consent category the email needs; NULL for transactional emails the person asked for.
  category            text CONSTRAINT email_outbox_category_check
                        CHECK (category IN ('appointment_reminders', 'exercise_plans', 'plans_of_care', 'service_updates')),
  patient_id          uuid NOT NULL REFERENCES patients (id),
  clinic_id           uuid REFERENCES clinics (id),
  callback_request_id uuid REFERENCES callback_requests (id),
  to_address          citext NOT NULL,
  payload             jsonb NOT NULL DEFAULT '{}'::jsonb,
  dedup_key           text CONSTRAINT email_outbox_dedup_key UNIQUE,
  status              text NOT NULL DEFAULT 'queued' CONSTRAINT email_outbox_status_check
                        CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'suppressed')),
  attempts            integer NOT NULL DEFAULT 0,
  send_after          timestamptz NOT NULL DEFAULT now(),
  last_error          text,
  smtp_response       text,
  message_id          text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  sent_at             timestamptz
);
CREATE INDEX email_outbox_due ON email_outbox (send_after) WHERE status = 'queued';
CREATE INDEX email_outbox_patient_id ON email_outbox (patient_id, created_at);
