-- Staff sign-in attempts, counted per (email, client network) and per email, so one address gets 5
-- guesses per account and a spray from many addresses is capped at 50 (src/staff/throttle.rs).
--
-- A row is written *before* the password is checked (`pending`), under a per-email advisory lock
-- that also covers the count, so concurrent guesses cannot all pass the check before any failure is
-- recorded. A wrong password settles it as a failure (`pending = false`); a right one deletes it and
-- the pair's settled failures, but not other attempts still being checked.
-- `network` is the client's /32 (IPv4) or /64 (IPv6), the unit a client controls; NULL only for a
-- request that did not arrive over a socket. Unknown emails are counted alike. Kept for a day.
CREATE TABLE staff_sign_in_attempts (
  id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email   citext NOT NULL,
  network cidr,
  at      timestamptz NOT NULL DEFAULT now(),
  pending boolean NOT NULL DEFAULT true
);
CREATE INDEX staff_sign_in_attempts_email_at ON staff_sign_in_attempts (email, at);
-- For trimming rows past the retention without scanning the table.
CREATE INDEX staff_sign_in_attempts_at ON staff_sign_in_attempts (at);

-- Failures recorded by the previous (per-email only) throttle keep counting, under the network of
-- the address they came from.
INSERT INTO staff_sign_in_attempts (email, network, at, pending)
SELECT email,
       network(set_masklen(ip, CASE family(ip) WHEN 4 THEN 32 ELSE 64 END)),
       at,
       false
  FROM staff_sign_in_failures;

DROP TABLE staff_sign_in_failures;
