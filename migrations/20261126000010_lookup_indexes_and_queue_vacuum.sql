-- Weekly hours are read per practitioner on every slots page, booking and search page. The only
-- index with practitioner_id was the GiST exclusion index, whose pages' key ranges all overlap
-- (uuids arrive in no order), so one practitioner's seven rows read nearly all of it. This btree
-- answers the lookup index-only, in the order the query wants.
CREATE INDEX schedule_ranges_practitioner
  ON schedule_ranges (practitioner_id, weekday, starts) INCLUDE (ends);

-- The outbox is a queue: every row is inserted, updated twice (sending, then sent) and then only
-- read. Vacuum it after 2 % of churn rather than the default 20 %, so the worker's partial indexes
-- stay free of dead entries.
ALTER TABLE email_outbox SET (
  autovacuum_vacuum_scale_factor = 0.02,
  autovacuum_analyze_scale_factor = 0.02,
  autovacuum_vacuum_insert_scale_factor = 0.05
);
