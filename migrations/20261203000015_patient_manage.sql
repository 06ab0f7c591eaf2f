-- Patients manage their own booking (issue 15): a signed link in every booking email lets the
-- patient cancel or move it; the front desk sees who changed it, and may be told by email.

-- Where the front desk wants to hear of a patient's change (optional).
ALTER TABLE clinics ADD COLUMN notification_email citext
  CONSTRAINT clinics_notification_email_format
    CHECK (notification_email IS NULL OR (char_length(notification_email) BETWEEN 3 AND 254
                                          AND notification_email ~ '^[^@[:space:]]+@[^@[:space:]]+$'));

-- Who made an audited change: a staff member (staff_id names them), the patient through their
-- link, or the system (the expiry job, whose rows say so in detail too).
ALTER TABLE audit_log ADD COLUMN actor text NOT NULL DEFAULT 'staff'
  CONSTRAINT audit_log_actor_check CHECK (actor IN ('staff', 'patient', 'system'));

-- Who changed a booking last (cancelled, moved, confirmed, closed): NULL until anyone did.
ALTER TABLE bookings ADD COLUMN changed_by text
  CONSTRAINT bookings_changed_by_check CHECK (changed_by IN ('staff', 'patient'));

-- The front desk's notice of a patient's change.
ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_kind_check;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_kind_check CHECK (kind IN (
  'callback_received', 'booking_requested', 'booking_confirmed', 'booking_rescheduled',
  'booking_cancelled', 'appointment_reminder', 'exercise_plan', 'care_plan', 'consent_confirmation',
  'booking_changed_by_patient'));
