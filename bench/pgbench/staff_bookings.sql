-- GET /v1/staff/bookings?from=…&to=… as a front-desk member of one clinic sees it
-- (scheduling::desk::list): the bearer token's session and scope
-- (staff::session_store::holder, on one pooled connection), then the list (scheduling::bookings::list, on
-- another). Variables set by bench/run with -D: token_hash (the session's SHA-256, \x-hex),
-- clinic_id (the member's one clinic), from_ts, to_ts (the coming week), limit (21).
-- staff::auth CurrentStaff
-- @include session_holder.sql
-- scheduling::bookings::list: the SQL names only the filters given (here from and to), and one
-- clinic is bound as a scalar.
SELECT b.id, b.status, b.starts_at, b.ends_at, b.mode, b.patient_id, b.name,
     b.email::text AS email, b.phone, b.concern, b.ics_sequence, b.cancel_reason, b.created_at, b.updated_at,
     b.confirmed_at, b.cancelled_at, b.changed_by, p.id AS practitioner_id, p.name AS practitioner_name, p.discipline,
     c.id AS clinic_id, c.name AS clinic_name, c.address, c.city, c.province, c.postal_code,
     c.phone AS clinic_phone, c.latitude, c.longitude, c.time_zone FROM bookings b JOIN practitioners p ON p.id = b.practitioner_id JOIN clinics c ON c.id = b.clinic_id WHERE true AND b.clinic_id = :clinic_id AND b.starts_at >= :from_ts AND b.starts_at < :to_ts ORDER BY b.starts_at, b.id LIMIT :limit;
