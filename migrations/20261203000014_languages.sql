-- Languages (issue 14): every text a person reads exists in English and Canadian French.
--
-- A clinic names the language it serves patients in when nothing else says (Québec clinics: fr).
ALTER TABLE clinics ADD COLUMN default_locale text NOT NULL DEFAULT 'en'
  CONSTRAINT clinics_default_locale_check CHECK (default_locale IN ('en', 'fr'));

-- The patient's language: the latest a form of theirs named; NULL until one does, and then the
-- clinic's default applies.
ALTER TABLE patients ADD COLUMN locale text
  CONSTRAINT patients_locale_check CHECK (locale IN ('en', 'fr'));

-- What each form was filled in, so the front desk knows which language to call back in.
ALTER TABLE callback_requests ADD COLUMN locale text NOT NULL DEFAULT 'en'
  CONSTRAINT callback_requests_locale_check CHECK (locale IN ('en', 'fr'));
ALTER TABLE bookings ADD COLUMN locale text NOT NULL DEFAULT 'en'
  CONSTRAINT bookings_locale_check CHECK (locale IN ('en', 'fr'));

-- The language an email is written in, decided when it is queued (the person's language then), so
-- a retry sends the same words and the message can say so in Content-Language.
ALTER TABLE email_outbox ADD COLUMN locale text NOT NULL DEFAULT 'en'
  CONSTRAINT email_outbox_locale_check CHECK (locale IN ('en', 'fr'));

-- Which language to write to a person in, for a clinic: the one they last chose on a form, else
-- the clinic's, else English. One definition for the outbox, the forms and the token pages.
CREATE FUNCTION reader_locale(patient uuid, clinic uuid) RETURNS text
  LANGUAGE sql STABLE
  RETURN COALESCE((SELECT p.locale FROM patients p WHERE p.id = patient),
                  (SELECT c.default_locale FROM clinics c WHERE c.id = clinic),
                  'en');
