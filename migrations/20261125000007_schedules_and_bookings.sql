-- Weekly hours per practitioner, in the clinic's local time (slots are computed in its IANA zone).
CREATE TABLE practitioner_schedules (
  practitioner_id uuid PRIMARY KEY REFERENCES practitioners (id) ON DELETE CASCADE,
  slot_minutes    integer NOT NULL CONSTRAINT practitioner_schedules_slot_minutes CHECK (slot_minutes BETWEEN 5 AND 240),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE schedule_ranges (
  practitioner_id uuid NOT NULL REFERENCES practitioner_schedules (practitioner_id) ON DELETE CASCADE,
  weekday         smallint NOT NULL CONSTRAINT schedule_ranges_weekday CHECK (weekday BETWEEN 1 AND 7),
  starts          time NOT NULL,
  ends            time NOT NULL,
  CONSTRAINT schedule_ranges_order CHECK (ends > starts),
  -- Ranges of one weekday never overlap (touching is fine): the application checks first, this makes sure.
  CONSTRAINT schedule_ranges_no_overlap EXCLUDE USING gist (
    practitioner_id WITH =, weekday WITH =, tsrange('2000-01-01'::date + starts, '2000-01-01'::date + ends) WITH &&)
);

CREATE TABLE time_off (
  id              uuid PRIMARY KEY,
  practitioner_id uuid NOT NULL REFERENCES practitioners (id) ON DELETE CASCADE,
  starts_at       timestamptz NOT NULL,
  ends_at         timestamptz NOT NULL,
  reason          text,
  created_by      uuid REFERENCES staff (id),
  created_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT time_off_order CHECK (ends_at > starts_at)
);
CREATE INDEX time_off_lookup ON time_off USING gist (practitioner_id, tstzrange(starts_at, ends_at));

-- Consult bookings. The database guarantees no practitioner holds two overlapping active bookings:
-- concurrent requests for one slot give exactly one row, whatever the application does.
CREATE TABLE bookings (
  id              uuid PRIMARY KEY,
  practitioner_id uuid NOT NULL REFERENCES practitioners (id),
  clinic_id       uuid NOT NULL REFERENCES clinics (id),
  patient_id      uuid NOT NULL REFERENCES patients (id),
  starts_at       timestamptz NOT NULL,
  ends_at         timestamptz NOT NULL,
  mode            text NOT NULL CONSTRAINT bookings_mode_check CHECK (mode IN ('phone', 'video', 'in_person')),
  status          text NOT NULL DEFAULT 'requested' CONSTRAINT bookings_status_check
                    CHECK (status IN ('requested', 'confirmed', 'cancelled', 'completed', 'no_show')),
  -- Contact details as given on the booking form (the patient row keeps what it first learned).
  name            text NOT NULL,
  email           citext NOT NULL,
  phone           text,
  concern         text CONSTRAINT bookings_concern_length CHECK (char_length(concern) <= 2000),
  -- The calendar invite's SEQUENCE: bumped whenever the invite changes (reschedule, cancel).
  ics_sequence    integer NOT NULL DEFAULT 0,
  cancel_reason   text,
  ip              inet,
  user_agent      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  confirmed_at    timestamptz,
  cancelled_at    timestamptz,
  CONSTRAINT bookings_order CHECK (ends_at > starts_at),
  CONSTRAINT bookings_no_overlap EXCLUDE USING gist (
    practitioner_id WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE (status IN ('requested', 'confirmed'))
);
CREATE INDEX bookings_clinic_starts ON bookings (clinic_id, starts_at, id);
CREATE INDEX bookings_patient_id ON bookings (patient_id);
CREATE INDEX bookings_starts ON bookings (starts_at, id);

-- Emails can belong to a booking; reminders are outbox rows due before the booking, moved on
-- reschedule and withdrawn on cancel, so delivery only sends what is due.
ALTER TABLE email_outbox ADD COLUMN booking_id uuid REFERENCES bookings (id);
CREATE INDEX email_outbox_booking_id ON email_outbox (booking_id);
ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_status_check;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_status_check
  CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'suppressed', 'withdrawn'));
