-- Not a script of its own: bench/run puts it where booking.sql and slots.sql say
-- `-- @include schedules_and_busy.sql` (pgbench has no include), as both endpoints send these two
-- statements. Variables: pids (the practitioner as a one-element array), w_from and w_to (the
-- window: the shown week for slots, a day either side of the slot for a booking), none.
-- scheduling::store::schedules
SELECT s.practitioner_id, s.slot_minutes, r.weekday, r.starts, r.ends
           FROM practitioner_schedules s
           LEFT JOIN schedule_ranges r ON r.practitioner_id = s.practitioner_id
          WHERE s.practitioner_id = ANY(:pids)
          ORDER BY s.practitioner_id, r.weekday, r.starts;
-- scheduling::store::busy
SELECT practitioner_id, true AS is_time_off, starts_at, ends_at FROM time_off
          WHERE practitioner_id = ANY(:pids) AND tstzrange(starts_at, ends_at) && tstzrange(:w_from, :w_to)
         UNION ALL
         SELECT practitioner_id, false, starts_at, ends_at FROM bookings
          WHERE practitioner_id = ANY(:pids) AND status IN ('requested', 'confirmed')
            AND tstzrange(starts_at, ends_at) && tstzrange(:w_from, :w_to)
            AND (NULLIF(:none, '-')::uuid IS NULL OR id <> NULLIF(:none, '-')::uuid);
