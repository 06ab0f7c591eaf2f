-- Extensions the schema relies on. PostGIS gives clinics a geography point for distance search,
-- citext makes emails case-insensitive, btree_gist lets bookings use an exclusion constraint,
-- unaccent lets city search ignore accents.
CREATE EXTENSION IF NOT EXISTS citext;
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS postgis;

-- Shared guard for append-only tables (consent ledger, audit log): rows are facts, never rewritten.
CREATE FUNCTION forbid_row_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
