//! Enqueueing emails in the caller's transaction, so an email exists exactly when the change that
//! causes it was committed. A category the person has not granted to the email's sender leaves a
//! `suppressed` row, so staff can see why nothing was sent.

use crate::consent::ledger;
use crate::domain::consent::{ConsentCategory, Sender};
pub use crate::domain::email_kind::EmailKind;
use crate::email::payloads::EmailPayload;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// The record an email is about, so staff can find an email from it and the other way round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum About {
    CallbackRequest(Uuid),
    Booking(Uuid),
    ExercisePlan(Uuid),
    CarePlan(Uuid),
}

pub struct NewEmail<'a> {
    pub patient_id: Uuid,
    /// The sender: its consent is the one an email of a consent category needs (none: the network).
    pub clinic_id: Option<Uuid>,
    pub about: About,
    pub to: &'a str,
    /// Not before this time (reminders); `None`: at once.
    pub send_after: Option<DateTime<Utc>>,
    /// A second email with the same key is not queued (the first one stands).
    pub dedup_key: Option<String>,
    /// What the template needs, captured now so the email says what was true when it was caused;
    /// its kind is the email's kind.
    pub payload: EmailPayload,
}

/// Writes the email row; returns its id and whether it will be sent (`queued`) or not (`suppressed`),
/// or `None` when an email with the same dedup key already exists.
pub async fn enqueue(
    conn: &mut PgConnection,
    email: NewEmail<'_>,
) -> Result<Option<Queued>, sqlx::Error> {
    let kind = email.payload.kind();
    let status = match kind.category() {
        Some(category)
            if !ledger::is_granted(
                conn,
                email.patient_id,
                Sender::of(email.clinic_id),
                category,
            )
            .await? =>
        {
            "suppressed"
        }
        _ => "queued",
    };
    let id = Uuid::now_v7();
    let inserted = sqlx::query(
        "INSERT INTO email_outbox (id, kind, category, patient_id, clinic_id, callback_request_id, booking_id,
                                   exercise_plan_id, care_plan_id, to_address, payload, status, send_after, dedup_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, COALESCE($13, now()), $14)
         ON CONFLICT (dedup_key) DO NOTHING",
    )
    .bind(id)
    .bind(kind)
    .bind(kind.category().map(ConsentCategory::as_str))
    .bind(email.patient_id)
    .bind(email.clinic_id)
    .bind(match email.about {
        About::CallbackRequest(id) => Some(id),
        _ => None,
    })
    .bind(match email.about {
        About::Booking(id) => Some(id),
        _ => None,
    })
    .bind(match email.about {
        About::ExercisePlan(id) => Some(id),
        _ => None,
    })
    .bind(match email.about {
        About::CarePlan(id) => Some(id),
        _ => None,
    })
    .bind(email.to)
    .bind(sqlx::types::Json(&email.payload))
    .bind(status)
    .bind(email.send_after)
    .bind(email.dedup_key)
    .execute(conn)
    .await?;
    Ok((inserted.rows_affected() == 1).then_some(Queued { id, status }))
}

/// A freshly queued email.
#[derive(Debug, Clone, Copy)]
pub struct Queued {
    pub id: Uuid,
    /// `queued`, or `suppressed` when the category it needs is not granted.
    pub status: &'static str,
}
