-- Booking abuse rules (issue 12).
--
-- A `requested` booking nobody confirmed by its start time becomes `expired`: a final status, and
-- one the exclusion constraint `bookings_no_overlap` does not cover (it holds requested and
-- confirmed bookings only), so the expired request's time is free again.
ALTER TABLE bookings DROP CONSTRAINT bookings_status_check;
ALTER TABLE bookings ADD CONSTRAINT bookings_status_check
  CHECK (status IN ('requested', 'confirmed', 'cancelled', 'completed', 'no_show', 'expired'));

-- The expiry job looks for requests whose start has passed, soonest first, every few seconds.
-- Requested bookings are a small, moving part of the table (confirmed, cancelled and past ones
-- dominate it), so a partial index on them answers from a few pages at the low end of starts_at.
CREATE INDEX bookings_requested_starts ON bookings (starts_at) WHERE status = 'requested';

-- Every public booking counts the open requests of its email address and of its client network
-- (`MAX_OPEN_REQUESTS`): without these the count would walk every booking in the table.
-- `ip <<= network` is answered from a btree as a range scan (Postgres derives the bounds of the
-- network).
CREATE INDEX bookings_requested_email ON bookings (email) WHERE status = 'requested';
CREATE INDEX bookings_requested_ip ON bookings (ip) WHERE status = 'requested';
