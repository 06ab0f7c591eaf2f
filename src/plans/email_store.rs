//! The SQL of the outbox as the front desk lists it.

use crate::domain::email_kind::EmailKind;
use crate::domain::status::EmailStatus;
use crate::email::history::EmailView;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

/// An outbox row with when it may leave and what it is about.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxEmailView {
    #[serde(flatten)]
    pub email: EmailView,
    /// Not before this time (reminders wait; everything else is due at once).
    pub send_after: DateTime<Utc>,
    pub patient_id: Uuid,
    pub booking_id: Option<Uuid>,
}

/// Where a page ends: newest first.
#[derive(Debug, Serialize, Deserialize)]
pub struct EmailPosition {
    pub created_at: DateTime<Utc>,
    pub id: Uuid,
}

impl EmailPosition {
    pub fn of(row: &OutboxEmailView) -> Self {
        EmailPosition {
            created_at: row.email.created_at,
            id: row.email.id,
        }
    }
}

/// What the list is narrowed to, besides the staff member's clinics.
pub struct EmailFilter {
    pub patient_id: Option<Uuid>,
    pub status: Option<EmailStatus>,
    pub kind: Option<EmailKind>,
    pub after: Option<EmailPosition>,
    pub limit: i64,
}

/// Up to `filter.limit` emails, newest first: all of them when `is_admin`, else those of
/// `clinic_ids` (the clinic the email names, or the clinic its callback was routed to when it
/// names none). Every filter is a parameter that may be null, so the statement stays fixed.
pub async fn list(
    conn: &mut PgConnection,
    is_admin: bool,
    clinic_ids: &[Uuid],
    filter: &EmailFilter,
) -> Result<Vec<OutboxEmailView>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT e.id, e.kind AS "kind: EmailKind", e.to_address::text AS "to!", e.status AS "status: EmailStatus", e.attempts, e.last_error, e.created_at,
                e.sent_at, e.send_after, e.patient_id, e.booking_id
           FROM email_outbox e LEFT JOIN callback_requests c ON c.id = e.callback_request_id
          WHERE ($1 OR COALESCE(e.clinic_id, c.clinic_id) = ANY($2))
            AND ($3::uuid IS NULL OR e.patient_id = $3)
            AND ($4::text IS NULL OR e.status = $4)
            AND ($5::text IS NULL OR e.kind = $5)
            AND ($6::timestamptz IS NULL OR (e.created_at, e.id) < ($6, $7::uuid))
          ORDER BY e.created_at DESC, e.id DESC
          LIMIT $8"#,
        is_admin,
        clinic_ids,
        filter.patient_id,
        filter.status.map(EmailStatus::as_str),
        filter.kind.map(EmailKind::as_str),
        filter.after.as_ref().map(|after| after.created_at),
        filter.after.as_ref().map(|after| after.id),
        filter.limit,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| OutboxEmailView {
            email: EmailView {
                id: row.id,
                kind: row.kind,
                to: row.to,
                status: row.status,
                attempts: row.attempts,
                last_error: row.last_error,
                created_at: row.created_at,
                sent_at: row.sent_at,
            },
            send_after: row.send_after,
            patient_id: row.patient_id,
            booking_id: row.booking_id,
        })
        .collect())
}
