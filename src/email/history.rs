//! What staff see of the emails sent to a patient or about a booking.

use crate::domain::email_kind::EmailKind;
use crate::domain::status::EmailStatus;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// An outbox row as staff see it.
#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct EmailView {
    pub id: Uuid,
    pub kind: EmailKind,
    pub to: String,
    pub status: EmailStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}
