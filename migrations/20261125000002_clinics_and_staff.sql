-- Clinics are the tenancy root: every staff query is scoped through staff_clinics.
CREATE TABLE clinics (
  id          uuid PRIMARY KEY,
  name        text NOT NULL CONSTRAINT clinics_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
  address     text NOT NULL CONSTRAINT clinics_address_length CHECK (char_length(address) BETWEEN 1 AND 300),
  city        text NOT NULL CONSTRAINT clinics_city_length CHECK (char_length(city) BETWEEN 1 AND 100),
  province    text NOT NULL CONSTRAINT clinics_province_check
                CHECK (province IN ('AB','BC','MB','NB','NL','NS','NT','NU','ON','PE','QC','SK','YT')),
  postal_code text NOT NULL CONSTRAINT clinics_postal_code_format CHECK (postal_code ~ '^[A-Z][0-9][A-Z] [0-9][A-Z][0-9]$'),
  phone       text NOT NULL CONSTRAINT clinics_phone_e164 CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  latitude    double precision NOT NULL CONSTRAINT clinics_latitude_range CHECK (latitude BETWEEN -90 AND 90),
  longitude   double precision NOT NULL CONSTRAINT clinics_longitude_range CHECK (longitude BETWEEN -180 AND 180),
  -- Derived from latitude/longitude so the two can never disagree; indexed for KNN and radius search.
  location    geography(Point, 4326) NOT NULL
                GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)::geography) STORED,
  time_zone   text NOT NULL CONSTRAINT clinics_time_zone_nonempty CHECK (time_zone <> ''),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX clinics_location_gist ON clinics USING gist (location);

CREATE TABLE staff (
  id            uuid PRIMARY KEY,
  email         citext NOT NULL CONSTRAINT staff_email_key UNIQUE,
  name          text NOT NULL CONSTRAINT staff_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
  role          text NOT NULL CONSTRAINT staff_role_check CHECK (role IN ('admin', 'front_desk', 'practitioner')),
  password_hash text NOT NULL,
  active        boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE staff_clinics (
  staff_id  uuid NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
  clinic_id uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
  PRIMARY KEY (staff_id, clinic_id)
);
CREATE INDEX staff_clinics_clinic_id ON staff_clinics (clinic_id);

-- Only a SHA-256 of each bearer token is kept: a leaked table does not leak sessions.
CREATE TABLE staff_sessions (
  token_hash bytea PRIMARY KEY CONSTRAINT staff_sessions_hash_length CHECK (octet_length(token_hash) = 32),
  staff_id   uuid NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  ip         inet,
  user_agent text
);
CREATE INDEX staff_sessions_staff_id ON staff_sessions (staff_id);
CREATE INDEX staff_sessions_expires_at ON staff_sessions (expires_at);

-- Who did what, when: one row per staff action, never changed afterwards.
CREATE TABLE audit_log (
  id          uuid PRIMARY KEY,
  staff_id    uuid REFERENCES staff (id),
  action      text NOT NULL,
  entity_type text NOT NULL,
  entity_id   uuid,
  clinic_id   uuid,
  detail      jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION forbid_row_change();
