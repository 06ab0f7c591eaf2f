//! The outbox worker's SQL: claiming due emails under a lease, recording how each delivery ended,
//! when the next email falls due, and the clinics a batch's emails speak for.

use crate::domain::status::EmailStatus;
use crate::email::payloads::ClinicInfo;
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgConnection;
use std::collections::HashMap;
use std::time::Duration;
use uuid::Uuid;

/// One claimed outbox row.
#[derive(Debug)]
pub struct Claimed {
    pub id: Uuid,
    /// Read as text, so a row of an unknown kind fails alone (as `failed`), not the whole batch.
    pub kind: String,
    pub category: Option<String>,
    pub patient_id: Uuid,
    /// The sender: the email's clinic, or the clinic its callback was routed to since.
    pub clinic_id: Option<Uuid>,
    pub to_address: String,
    pub payload: Value,
    pub attempts: i32,
    pub unsubscribe_ref: Uuid,
    /// The language it is written in, decided when it was queued.
    pub locale: String,
    /// The booking it is about, if any, and when that booking ends now (its manage link lasts
    /// until a day after).
    pub booking_id: Option<Uuid>,
    pub booking_ends_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Takes up to `batch` due emails (`sending` ones whose lease ran out first), counting an attempt
/// and leasing each for `lease`. `FOR UPDATE SKIP LOCKED`: concurrent workers never take the same row.
pub async fn claim(
    conn: &mut PgConnection,
    batch: i64,
    lease: Duration,
) -> Result<Vec<Claimed>, sqlx::Error> {
    sqlx::query_as!(
        Claimed,
        // Each source walks its partial index in order and stops at the first row not yet due;
        // CTEs are read lazily, so `queued` locks only the rows the batch still has room for.
        // Expired leases go first: they are the oldest work.
        r#"WITH expired AS (
                SELECT id FROM email_outbox
                 WHERE status = 'sending' AND lease_until < now()
                 ORDER BY lease_until
                 LIMIT $1
                 FOR UPDATE SKIP LOCKED),
             queued AS (
                SELECT id FROM email_outbox
                 WHERE status = 'queued' AND send_after <= now()
                 ORDER BY send_after
                 LIMIT $1
                 FOR UPDATE SKIP LOCKED),
             due AS (SELECT id FROM expired UNION ALL SELECT id FROM queued LIMIT $1)
             UPDATE email_outbox e
                SET status = 'sending', attempts = e.attempts + 1, lease_until = now() + make_interval(secs => $2)
               FROM due, patients p
              WHERE e.id = due.id AND p.id = e.patient_id
             RETURNING e.id, e.kind, e.category, e.patient_id,
                       COALESCE(e.clinic_id, (SELECT c.clinic_id FROM callback_requests c WHERE c.id = e.callback_request_id)) AS clinic_id,
                       e.to_address::text AS "to_address!", e.payload, e.attempts, p.unsubscribe_ref,
                       e.locale, e.booking_id,
                       (SELECT b.ends_at FROM bookings b WHERE b.id = e.booking_id) AS booking_ends_at"#,
        batch,
        lease.as_secs_f64(),
    )
    .fetch_all(conn)
    .await
}

/// Puts a claimed email back in the queue, to be tried again after `delay`.
pub async fn retry_later(
    conn: &mut PgConnection,
    id: Uuid,
    error: &str,
    delay: Duration,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE email_outbox SET status = 'queued', lease_until = NULL, last_error = $2,
                send_after = now() + make_interval(secs => $3)
          WHERE id = $1 AND status = 'sending'",
        id,
        error,
        delay.as_secs_f64(),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// How a claimed email ended, as the worker records it.
pub struct Finished<'a> {
    pub status: EmailStatus,
    /// The SMTP server's answer to a sent email.
    pub response: Option<&'a str>,
    pub error: Option<&'a str>,
    pub message_id: Option<&'a str>,
}

/// Records how a claimed email ended; a row no longer `sending` (another worker took it over) is
/// left as it is.
pub async fn finish(
    conn: &mut PgConnection,
    id: Uuid,
    finished: Finished<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE email_outbox
            SET status = $2, lease_until = NULL, smtp_response = COALESCE($3, smtp_response),
                last_error = COALESCE($4, last_error), message_id = COALESCE($5, message_id),
                sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END
          WHERE id = $1 AND status = 'sending'",
        id,
        finished.status.as_str(),
        finished.response,
        finished.error,
        finished.message_id,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// When the next email falls due: the earliest queued one or the earliest lease to run out.
pub async fn next_due(conn: &mut PgConnection) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar!(
        // Two index end-points (LEAST ignores NULLs): a filter on `status IN (…)` would read every
        // queued row, reminders days ahead included.
        "SELECT LEAST(
                    (SELECT min(send_after) FROM email_outbox WHERE status = 'queued'),
                    (SELECT min(lease_until) FROM email_outbox WHERE status = 'sending'))",
    )
    .fetch_one(conn)
    .await
}

/// The clinics of a batch's emails, by id.
pub type Clinics = HashMap<Uuid, ClinicInfo>;

/// The clinics with these ids, as their emails name them.
pub async fn clinics(conn: &mut PgConnection, ids: &[Uuid]) -> Result<Clinics, sqlx::Error> {
    let rows = sqlx::query!(
        "SELECT id, name, address, city, province, postal_code, phone FROM clinics WHERE id = ANY($1)",
        ids,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            (
                row.id,
                ClinicInfo {
                    name: row.name,
                    address: row.address,
                    city: row.city,
                    province: row.province,
                    postal_code: row.postal_code,
                    phone: row.phone,
                },
            )
        })
        .collect())
}
