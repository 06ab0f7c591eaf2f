-- Included where a script of bench/pgbench/ says `-- @include booking_find.sql` (bench/run expands
-- it: pgbench has no include): scheduling::bookings::find without a staff scope (the query_booking!
-- columns). Variable: bid, the booking.
SELECT b.id, b.status, b.starts_at, b.ends_at, b.mode, b.patient_id, b.name,
     b.email::text AS email, b.phone, b.concern, b.ics_sequence, b.cancel_reason, b.created_at, b.updated_at,
     b.confirmed_at, b.cancelled_at, b.changed_by, p.id AS practitioner_id, p.name AS practitioner_name, p.discipline,
     c.id AS clinic_id, c.name AS clinic_name, c.address, c.city, c.province, c.postal_code,
     c.phone AS clinic_phone, c.latitude, c.longitude, c.time_zone FROM bookings b JOIN practitioners p ON p.id = b.practitioner_id JOIN clinics c ON c.id = b.clinic_id
          WHERE b.id = :bid AND (true OR b.clinic_id = ANY('{}'::uuid[]));
