-- GET /desk/bookings?date=…&clinic_id=… (desk::bookings::day): a front-desk member's day at their
-- clinic, 1,000 bookings in the week there (bench/run adds them). The cookie's session and scope
-- (staff::session_store::holder, on one pooled connection: desk::extract), then on another the
-- clinics and practitioners the filters offer (directory::workplaces), the day's bookings
-- (scheduling::bookings::day: the list's SQL with a day's columns, the clinic bound as a scalar,
-- LIMIT 501) and the new callbacks'
-- count (intake::store::count_new). Variables set by bench/run with -D: token_hash, clinic_id,
-- clinic_ids ({clinic_id}, the scope as an array),
-- day_from and day_to (the day in the clinic's zone, as UTC instants).
-- @include session_holder.sql
SELECT id, name, time_zone FROM clinics WHERE false OR id = ANY(:clinic_ids) ORDER BY name, id;
SELECT id, clinic_id, name, active FROM practitioners WHERE clinic_id = ANY(:clinic_ids) ORDER BY name, id;
SELECT b.id, b.status, b.starts_at, b.ends_at, b.mode, b.name, b.phone, p.id AS practitioner_id, p.name AS practitioner_name, c.name AS clinic_name, c.time_zone FROM bookings b JOIN practitioners p ON p.id = b.practitioner_id JOIN clinics c ON c.id = b.clinic_id WHERE true AND b.clinic_id = :clinic_id AND b.starts_at >= :day_from AND b.starts_at < :day_to ORDER BY b.starts_at, b.id LIMIT 501;
SELECT count(*) AS count FROM callback_requests
            WHERE status = 'new' AND (false OR clinic_id = ANY(:clinic_ids));
