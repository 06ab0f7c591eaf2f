//! `MAX_OPEN_REQUESTS`: how many public booking requests may wait for a clinic's confirmation at
//! once, per email address and per client address (issue 12). Without a cap one script could hold
//! every free slot of a clinic as `requested` bookings that nobody means to keep.
//!
//! A request stops counting when the clinic confirms or cancels it, or when its start passes
//! unconfirmed (it has then expired, see [`crate::scheduling::expiry`]). Honeypot bookings never
//! count: their transaction is rolled back, so they leave no row.

use crate::domain::client::client_network;
use crate::domain::contact::EmailAddress;
use crate::error::ApiError;
use crate::error::Message;
use chrono::{DateTime, Utc};
use ipnet::IpNet;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use std::net::IpAddr;
use uuid::Uuid;

/// The shortest `Retry-After`: places free up when the front desk acts, not faster than a person
/// could, so a client retrying sooner would only be refused again.
const MIN_RETRY_AFTER_SECS: i64 = 60;
/// The longest `Retry-After`: a request may start weeks ahead, but the front desk confirms or
/// cancels requests through the day, and each of those frees a place long before the start.
const MAX_RETRY_AFTER_SECS: i64 = 3600;

/// Admits `booking_id`, the request just inserted by `email` from `ip` in the caller's
/// transaction, or refuses it with a 429 naming the limit when its email address or client network
/// already has `max_open` other open requests. Call it last, right before the commit.
///
/// Counting must not interleave with another booking of the same email or client network, or
/// simultaneous requests would each count only the committed rows and all pass. So this takes a
/// transaction-scoped advisory lock per key first: a second booking of the same key waits until
/// the first has committed (or rolled back) and then counts its row. Everything else the booking
/// does (patient, consents, the row, its email) runs before the locks, concurrently: a burst from
/// one address (an office behind one NAT) queues only for the count and the commit.
pub async fn admit(
    conn: &mut PgConnection,
    booking_id: Uuid,
    email: &EmailAddress,
    ip: Option<IpAddr>,
    max_open: u32,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let network = ip.map(client_network);
    // unnest yields the keys in array order and each row is locked as it is produced.
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(key) FROM unnest($1::int8[]) AS key",
        &lock_keys(email.as_str(), network),
    )
    .execute(&mut *conn)
    .await?;

    // Requests whose start has passed have expired even before the expiry job marks them, so they
    // hold no place (the same rule as `lifecycle::is_overdue`).
    let open = sqlx::query_as!(
        OpenCounts,
        r#"SELECT count(*) FILTER (WHERE email = $1::text::citext) AS "by_email!",
                min(starts_at) FILTER (WHERE email = $1::text::citext) AS email_soonest,
                count(*) FILTER (WHERE ip <<= $2::text::inet) AS "by_network!",
                min(starts_at) FILTER (WHERE ip <<= $2::text::inet) AS network_soonest
           FROM bookings
          WHERE status = 'requested' AND starts_at > $3 AND id <> $4
            AND (email = $1::text::citext OR ip <<= $2::text::inet)"#,
        email.as_str(),
        network.map(|network| network.to_string()),
        now,
        booking_id,
    )
    .fetch_one(&mut *conn)
    .await?;

    let max = i64::from(max_open);
    if open.by_email < max && open.by_network < max {
        return Ok(());
    }
    // A key at its limit has a place again at the latest when its soonest open request starts
    // (earlier when the clinic confirms or cancels one); with both keys at their limit, the later
    // of the two.
    let free_again = [
        (open.by_email >= max).then_some(open.email_soonest),
        (open.by_network >= max).then_some(open.network_soonest),
    ]
    .into_iter()
    .flatten()
    .flatten()
    .max();
    tracing::info!(
        by_email = open.by_email,
        by_network = open.by_network,
        max_open,
        "booking refused: too many open requests"
    );
    // The detail does not say which key is at its limit: the form's sender may not own the
    // email address, and should not learn how many requests someone else has open.
    Err(ApiError::LimitReached {
        code: "too_many_open_requests",
        detail: Message::new("problem-too-many-open-requests").arg("max", max_open),
        retry_after_secs: retry_after_secs(free_again, now),
    })
}

#[derive(Debug)]
struct OpenCounts {
    by_email: i64,
    email_soonest: Option<DateTime<Utc>>,
    by_network: i64,
    network_soonest: Option<DateTime<Utc>>,
}

/// Seconds until a place is free for sure, within [`MIN_RETRY_AFTER_SECS`, `MAX_RETRY_AFTER_SECS`].
fn retry_after_secs(free_again: Option<DateTime<Utc>>, now: DateTime<Utc>) -> u64 {
    let secs = free_again.map_or(MAX_RETRY_AFTER_SECS, |start| (start - now).num_seconds());
    u64::try_from(secs.clamp(MIN_RETRY_AFTER_SECS, MAX_RETRY_AFTER_SECS))
        .unwrap_or(MAX_RETRY_AFTER_SECS as u64)
}

/// The advisory lock ids of an email address (in any case) and a client network, in the one order
/// every booking takes them: two bookings never each hold the lock the other waits for.
pub fn lock_keys(email: &str, network: Option<IpNet>) -> Vec<i64> {
    let mut keys = vec![lock_key(&format!(
        "open-requests email {}",
        email.to_lowercase()
    ))];
    if let Some(network) = network {
        keys.push(lock_key(&format!("open-requests network {network}")));
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// An advisory lock id for `key`, the same in every process (Rust's `Hash` is seeded per process).
fn lock_key(key: &str) -> i64 {
    let digest = Sha256::digest(key.as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn retry_after_is_the_soonest_start_within_a_minute_and_an_hour() {
        let now = Utc::now();
        let at = |secs: i64| Some(now + Duration::seconds(secs));
        assert_eq!(retry_after_secs(at(600), now), 600);
        assert_eq!(retry_after_secs(at(5), now), 60);
        assert_eq!(retry_after_secs(at(-30), now), 60);
        assert_eq!(retry_after_secs(at(86_400 * 14), now), 3600);
        assert_eq!(retry_after_secs(None, now), 3600);
    }

    /// Replicas of two versions run side by side during a deploy: they must lock the same ids for
    /// the same keys, so the derivation is pinned (bench/pgbench/booking.sql computes it in SQL).
    #[test]
    fn lock_keys_are_pinned_and_ignore_the_email_case() {
        let network = client_network("127.0.0.1".parse().unwrap());
        let keys = lock_keys("Pg-BK-1@example.com", Some(network));
        assert_eq!(keys, vec![4405234789973054164, 5947741838273234412]);
        assert_eq!(lock_keys("pg-bk-1@EXAMPLE.com", Some(network)), keys);
        assert_eq!(lock_keys("pg-bk-1@example.com", None).len(), 1);
    }
}
