-- Included where a script of bench/pgbench/ says `-- @include session_holder.sql` (bench/run
-- expands it: pgbench has no include): staff::session_store::holder, the staff member a session
-- token belongs to, with their clinics. Variable: token_hash (the token's SHA-256, \x-hex).
SELECT s.id, s.role,
                COALESCE(array_agg(sc.clinic_id) FILTER (WHERE sc.clinic_id IS NOT NULL), '{}') AS clinic_ids
           FROM staff_sessions ss
           JOIN staff s ON s.id = ss.staff_id
           LEFT JOIN staff_clinics sc ON sc.staff_id = s.id
          WHERE ss.token_hash = :token_hash AND ss.expires_at > now() AND s.active
          GROUP BY s.id;
