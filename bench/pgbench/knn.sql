-- The ceiling of any nearest-first search: a bare index-ordered KNN top-21 over the active
-- practitioners, ids only, no filters, no tie order, no columns to send. Same point and binds as
-- dense_search.sql.
\set lng -79.3832
\set lat 43.6532
SELECT p.id FROM practitioners p WHERE p.active
 ORDER BY p.location <-> ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography
 LIMIT :limit;
