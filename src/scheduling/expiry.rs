//! Requests nobody confirmed by their start time become `expired` (issue 12): the status is final,
//! and the exclusion constraint covers only requested and confirmed bookings, so the time is free
//! again and the request no longer counts against `MAX_OPEN_REQUESTS`.
//!
//! The email worker runs [`tick`] every round (every few seconds at most), and a front-desk action
//! on an overdue request expires it on the spot ([`expire_one`]), so what staff see never depends
//! on whether the job got there first. Nobody is emailed: the patient heard nothing back from the
//! clinic, and the contract has no such email.
//!
//! Each expiry is audited as `booking.expire` with no staff member (`staff_id` NULL, `detail.actor`
//! `system`): nobody did it, time did.

use crate::scheduling::bookings::BookingRow;
use crate::scheduling::lifecycle;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// Requests expired per transaction: a backlog (a worker down for a day) is worked off in short
/// transactions rather than one that locks every row at once.
const BATCH: i64 = 500;

/// Expires every request whose start has passed unconfirmed; how many it expired. Several workers
/// may run it at once: each takes rows the others have not locked.
pub async fn expire_unconfirmed(pool: &PgPool) -> Result<u64, sqlx::Error> {
    let mut total = 0;
    loop {
        let mut tx = crate::db::begin(pool).await?;
        // `SKIP LOCKED`: a row a front-desk action holds is left to that action, which sees the
        // same overdue request and expires it itself (or has just confirmed it in time).
        let expired = sqlx::query_as!(
            Expired,
            "UPDATE bookings b SET status = 'expired', updated_at = now()
              WHERE b.id IN (SELECT id FROM bookings
                              WHERE status = 'requested' AND starts_at <= $1
                              ORDER BY starts_at
                              LIMIT $2
                              FOR UPDATE SKIP LOCKED)
             RETURNING b.id, b.clinic_id",
            Utc::now(),
            BATCH,
        )
        .fetch_all(&mut *tx)
        .await?;
        audit(&mut tx, &expired).await?;
        tx.commit().await?;
        total += expired.len() as u64;
        if (expired.len() as i64) < BATCH {
            return Ok(total);
        }
    }
}

/// One round of the job for the email worker's loop: failures are logged, and the next round tries
/// again.
pub async fn tick(pool: &PgPool) {
    match expire_unconfirmed(pool).await {
        Ok(0) => {}
        Ok(count) => tracing::info!(count, "expired booking requests nobody confirmed in time"),
        Err(error) => {
            tracing::warn!(error = %error, "expiring unconfirmed booking requests failed")
        }
    }
}

/// Expires `booking` (locked by the caller's transaction) when it is an overdue request; whether
/// it did. The caller commits, so the expiry stands even though the action is refused.
pub async fn expire_one(
    conn: &mut PgConnection,
    booking: &BookingRow,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    if !lifecycle::is_overdue(booking.status, booking.starts_at, now) {
        return Ok(false);
    }
    let expired = sqlx::query_as!(
        Expired,
        "UPDATE bookings SET status = 'expired', updated_at = now()
          WHERE id = $1 AND status = 'requested'
         RETURNING id, clinic_id",
        booking.id,
    )
    .fetch_all(&mut *conn)
    .await?;
    audit(conn, &expired).await?;
    Ok(!expired.is_empty())
}

#[derive(Debug)]
struct Expired {
    id: Uuid,
    clinic_id: Uuid,
}

/// One audit row per expired booking, by the system. (`staff::audit::record` takes a staff member,
/// which an expiry has not.)
async fn audit(conn: &mut PgConnection, expired: &[Expired]) -> Result<(), sqlx::Error> {
    if expired.is_empty() {
        return Ok(());
    }
    let audit_ids: Vec<Uuid> = expired.iter().map(|_| Uuid::now_v7()).collect();
    let booking_ids: Vec<Uuid> = expired.iter().map(|row| row.id).collect();
    let clinic_ids: Vec<Uuid> = expired.iter().map(|row| row.clinic_id).collect();
    sqlx::query!(
        "INSERT INTO audit_log (id, staff_id, actor, action, entity_type, entity_id, clinic_id, detail)
         SELECT audit_id, NULL, 'system', 'booking.expire', 'booking', booking_id, clinic_id,
                '{\"actor\": \"system\", \"reason\": \"not confirmed by its start time\"}'::jsonb
           FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS t(audit_id, booking_id, clinic_id)",
        &audit_ids,
        &booking_ids,
        &clinic_ids,
    )
    .execute(conn)
    .await?;
    Ok(())
}
