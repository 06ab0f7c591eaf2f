-- Included where a script of bench/pgbench/ says `-- @include busy.sql` (bench/run expands it:
-- pgbench has no include). Variables: busy_pids (the practitioners as an array), w_from and w_to
-- (the window), none.
SELECT practitioner_id, true AS is_time_off, starts_at, ends_at FROM time_off
          WHERE practitioner_id = ANY(:busy_pids) AND tstzrange(starts_at, ends_at) && tstzrange(:w_from, :w_to)
         UNION ALL
         SELECT practitioner_id, false, starts_at, ends_at FROM bookings
          WHERE practitioner_id = ANY(:busy_pids) AND status IN ('requested', 'confirmed')
            AND tstzrange(starts_at, ends_at) && tstzrange(:w_from, :w_to)
            AND (NULLIF(:none, '-')::uuid IS NULL OR id <> NULLIF(:none, '-')::uuid);
