-- The search's statement alone at the densest point of the bench data (downtown Toronto, where
-- clinics stand dozens of practitioners each on one point), to set against knn.sql on the same
-- point: issue 18's "at least 0.6 of the bare KNN". Variables: radius (25000), limit (21).
\set lng -79.3832
\set lat 43.6532
-- @include search_statement.sql
