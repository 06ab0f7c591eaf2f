-- GET /v1/practitioners?near=LAT,LNG&radius_km=25&limit=20 (src/directory/public.rs): one
-- connection, no transaction: the search (search::practitioners_near_sql(), binds: lng, lat,
-- radius m, 4 filters, cursor d and id, limit + 1), then next_available for the page
-- (scheduling::availability::next_available: the weekly hours of the page's practitioners, and,
-- when some have hours, their time off and bookings over the next 31 days).
--
-- Each transaction searches from one of the origins wrk uses (bench_search_origins, filled by
-- bench/run with each origin's page as the service answered it: the ids next_available gets, and
-- those of them with hours). Reading the origin is one cheap round trip more than the SQL needs;
-- the service makes one too (its pool pings each connection it hands out). Variables set by
-- bench/run with -D: origins (how many), radius (25000), limit (21), w_from and w_to (the
-- next_available window: now + lead - 1 day, + 33 days), none ("-": NULLIF(:none, '-') is a NULL
-- parameter where the service binds None, since pgbench cannot bind NULL itself).
-- Keep in step with src/directory/search.rs.
\set origin random(0, :origins - 1)
SELECT lng, lat, ids AS pids, sids AS busy_pids, with_hours FROM bench_search_origins WHERE i = :origin
\gset
WITH nearest AS (
            SELECT (p.location <-> ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography) AS d FROM practitioners p JOIN clinics c ON c.id = p.clinic_id
             WHERE p.active
    AND (NULLIF(:none, '-')::text IS NULL OR p.discipline = NULLIF(:none, '-')::text)
    AND (NULLIF(:none, '-')::text IS NULL OR p.services @> ARRAY[NULLIF(:none, '-')::text])
    AND (NULLIF(:none, '-')::text IS NULL OR p.languages @> ARRAY[NULLIF(:none, '-')::text])
    AND (NULLIF(:none, '-')::text IS NULL OR p.consult_modes @> ARRAY[NULLIF(:none, '-')::text]) AND p.location && _ST_Expand(ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography, :radius) AND (NULLIF(:none, '-')::float8 IS NULL OR (p.location <-> ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography) > NULLIF(:none, '-')::float8 OR ((p.location <-> ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography) = NULLIF(:none, '-')::float8 AND p.id > NULLIF(:none, '-')::uuid))
             ORDER BY (p.location <-> ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography)
             LIMIT :limit),
          bound AS (SELECT max(d) AS d FROM nearest)
         SELECT p.id, p.name, p.discipline, p.services, p.languages, p.consult_modes, c.id AS clinic_id, c.name AS clinic_name, c.address, c.city, c.province, c.postal_code, c.phone, c.latitude, c.longitude, c.time_zone, (p.location <-> ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography) AS distance_m
           FROM bound, practitioners p JOIN clinics c ON c.id = p.clinic_id
          WHERE bound.d IS NOT NULL
            AND p.active
    AND (NULLIF(:none, '-')::text IS NULL OR p.discipline = NULLIF(:none, '-')::text)
    AND (NULLIF(:none, '-')::text IS NULL OR p.services @> ARRAY[NULLIF(:none, '-')::text])
    AND (NULLIF(:none, '-')::text IS NULL OR p.languages @> ARRAY[NULLIF(:none, '-')::text])
    AND (NULLIF(:none, '-')::text IS NULL OR p.consult_modes @> ARRAY[NULLIF(:none, '-')::text])
            AND ST_DWithin(p.location, ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography, LEAST(bound.d + 0.01, :radius), false)
            AND ST_DWithin(p.location, ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography, :radius, false)
            AND (p.location <-> ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography) <= bound.d
            AND (NULLIF(:none, '-')::float8 IS NULL OR (p.location <-> ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography) > NULLIF(:none, '-')::float8 OR ((p.location <-> ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography) = NULLIF(:none, '-')::float8 AND p.id > NULLIF(:none, '-')::uuid))
          ORDER BY (p.location <-> ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography), p.id
          LIMIT :limit;
-- next_available: scheduling::store::schedules for the page
-- @include schedules.sql
-- next_available: scheduling::store::busy for those with hours, when there are any
\if :with_hours > 0
-- @include busy.sql
\endif
