-- The practitioner search's statement for a first page without filters, as
-- search::practitioners_near_sql() writes it (binds $1 lng, $2 lat, $3 radius m, $11 limit + 1;
-- the others are unused in this shape). Keep in step with src/directory/search.rs: included by
-- search.sql (the endpoint) and dense_search.sql (against the bare KNN).
WITH bound AS (
   SELECT max(d) AS d FROM (
     SELECT (p.location <-> ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography) AS d FROM practitioners p
      WHERE p.active AND p.location && _ST_Expand(ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography, :radius)
      ORDER BY (p.location <-> ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography)
      LIMIT :limit) nearest)
SELECT p.id, p.name, p.discipline, p.services, p.languages, p.consult_modes,
       c.id AS clinic_id, c.name AS clinic_name, c.address, c.city, c.province, c.postal_code,
       c.phone, c.latitude, c.longitude, c.time_zone, c.d AS distance_m
  FROM (SELECT c.id, c.name, c.address, c.city, c.province, c.postal_code, c.phone,
               c.latitude, c.longitude, c.time_zone, (c.location <-> ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography) AS d
          FROM bound, clinics c
         WHERE c.location && _ST_Expand(ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography, LEAST(bound.d + 0.01, :radius))
           AND (c.location <-> ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography) <= LEAST(bound.d, :radius)) c
 CROSS JOIN LATERAL (
        SELECT p.id, p.name, p.discipline, p.services, p.languages, p.consult_modes
          FROM practitioners p
         WHERE p.clinic_id = c.id AND p.active
         ORDER BY p.id
         LIMIT :limit) p
 ORDER BY c.d, c.id, p.id
 LIMIT :limit
;
