-- Practitioners work at one clinic. Their clinic's location is copied onto them (kept in step by
-- triggers) so "nearest practitioners" is one index-ordered KNN scan over one table, filters included.
CREATE TABLE practitioners (
  id            uuid PRIMARY KEY,
  clinic_id     uuid NOT NULL REFERENCES clinics (id),
  name          text NOT NULL CONSTRAINT practitioners_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
  discipline    text NOT NULL CONSTRAINT practitioners_discipline_check
                  CHECK (discipline IN ('physiotherapy', 'chiropractic')),
  services      text[] NOT NULL DEFAULT '{}',
  languages     text[] NOT NULL DEFAULT '{}',
  consult_modes text[] NOT NULL CONSTRAINT practitioners_consult_modes_check
                  CHECK (cardinality(consult_modes) >= 1 AND consult_modes <@ ARRAY['phone', 'video', 'in_person']),
  active        boolean NOT NULL DEFAULT true,
  location      geography(Point, 4326) NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX practitioners_clinic_id ON practitioners (clinic_id);
-- Only active practitioners are ever searched.
CREATE INDEX practitioners_location_gist ON practitioners USING gist (location) WHERE active;

CREATE FUNCTION practitioners_copy_clinic_location() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT location INTO NEW.location FROM clinics WHERE id = NEW.clinic_id;
  RETURN NEW;
END;
$$;
CREATE TRIGGER practitioners_location_from_clinic BEFORE INSERT OR UPDATE OF clinic_id ON practitioners
  FOR EACH ROW EXECUTE FUNCTION practitioners_copy_clinic_location();

CREATE FUNCTION clinics_push_location() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE practitioners SET location = NEW.location WHERE clinic_id = NEW.id;
  RETURN NULL;
END;
$$;
CREATE TRIGGER clinics_location_to_practitioners AFTER UPDATE OF latitude, longitude ON clinics
  FOR EACH ROW WHEN (OLD.location IS DISTINCT FROM NEW.location) EXECUTE FUNCTION clinics_push_location();
