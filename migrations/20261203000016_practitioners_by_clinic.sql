-- The practitioner search reads each nearby clinic's matching team in id order, up to a page
-- (src/directory/search.rs): this index gives that order without sorting a clinic's whole team.
CREATE INDEX practitioners_clinic_active ON practitioners (clinic_id, id) WHERE active;
