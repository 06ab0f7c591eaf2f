-- Failed staff sign-ins per email, for throttling password guessing against one account from many
-- addresses (the per-IP limit stops one address). Kept for a day; unknown emails count the same, so
-- the throttle reveals nothing about which accounts exist.
CREATE TABLE staff_sign_in_failures (
  email citext NOT NULL,
  ip    inet,
  at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX staff_sign_in_failures_email_at ON staff_sign_in_failures (email, at);
