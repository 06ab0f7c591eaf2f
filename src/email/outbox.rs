//! Enqueueing emails in the caller's transaction, so an email exists exactly when the change that
//! causes it was committed. A category the person has not granted to the email's sender leaves a
//! `suppressed` row, so staff can see why nothing was sent.

use crate::consent::ledger;
use crate::domain::consent::{ConsentCategory, Sender};
pub use crate::domain::email_kind::EmailKind;
use crate::domain::locale::Locale;
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
    /// The language to write it in; `None`: the patient's (`reader_locale`). A notice to a clinic's
    /// staff names the clinic's own.
    pub locale: Option<Locale>,
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
    // The record it is about, in the one column for its kind.
    let (callback_request_id, booking_id, exercise_plan_id, care_plan_id) = match email.about {
        About::CallbackRequest(id) => (Some(id), None, None, None),
        About::Booking(id) => (None, Some(id), None, None),
        About::ExercisePlan(id) => (None, None, Some(id), None),
        About::CarePlan(id) => (None, None, None, Some(id)),
    };
    let inserted = sqlx::query!(
        // The language is the reader's (`reader_locale`), decided now so that retries keep it.
        "INSERT INTO email_outbox (id, kind, category, patient_id, clinic_id, callback_request_id, booking_id,
                                   exercise_plan_id, care_plan_id, to_address, payload, status, send_after, dedup_key,
                                   locale)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text, $11, $12, COALESCE($13, now()), $14,
                 COALESCE($15, reader_locale($4, $5)))
         ON CONFLICT (dedup_key) DO NOTHING",
        id,
        kind.as_str(),
        kind.category().map(ConsentCategory::as_str),
        email.patient_id,
        email.clinic_id,
        callback_request_id,
        booking_id,
        exercise_plan_id,
        care_plan_id,
        email.to,
        sqlx::types::Json(&email.payload) as _,
        status,
        email.send_after,
        email.dedup_key,
        email.locale.map(Locale::as_str),
    )
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
