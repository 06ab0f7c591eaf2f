-- Included where a script of bench/pgbench/ says `-- @include schedules.sql` (bench/run expands it:
-- pgbench has no include). Variable: pids, the practitioners as an array.
SELECT s.practitioner_id, s.slot_minutes, r.weekday, r.starts, r.ends
           FROM practitioner_schedules s
           LEFT JOIN schedule_ranges r ON r.practitioner_id = s.practitioner_id
          WHERE s.practitioner_id = ANY(:pids)
          ORDER BY s.practitioner_id, r.weekday, r.starts;
