//! `GET /v1/staff/emails`: the outbox as the front desk sees it, newest first. Admins see every
//! email; others those of their clinics (the clinic the email names, or the clinic its callback
//! was routed to when it names none).

use crate::domain::email_kind::EmailKind;
use crate::domain::status::EmailStatus;
use crate::email::history::EmailView;
use crate::error::ApiError;
use crate::http::query::{Page, QueryParams};
use crate::staff::auth::StaffConnection;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

/// An outbox row with when it may leave and what it is about.
#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct OutboxEmailView {
    #[serde(flatten)]
    #[sqlx(flatten)]
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
    fn of(row: &OutboxEmailView) -> Self {
        EmailPosition {
            created_at: row.email.created_at,
            id: row.email.id,
        }
    }
}

pub struct EmailFilter {
    pub is_admin: bool,
    pub clinic_ids: Vec<Uuid>,
    pub patient_id: Option<Uuid>,
    pub status: Option<EmailStatus>,
    pub kind: Option<EmailKind>,
    pub after: Option<EmailPosition>,
    pub limit: i64,
}

/// `limit + 1` rows, so the page knows whether more exist.
pub async fn list(
    conn: &mut PgConnection,
    filter: &EmailFilter,
) -> Result<Vec<OutboxEmailView>, sqlx::Error> {
    sqlx::query_as(
        "SELECT e.id, e.kind, e.to_address::text AS to, e.status, e.attempts, e.last_error, e.created_at,
                e.sent_at, e.send_after, e.patient_id, e.booking_id
           FROM email_outbox e LEFT JOIN callback_requests c ON c.id = e.callback_request_id
          WHERE ($1 OR COALESCE(e.clinic_id, c.clinic_id) = ANY($2))
            AND ($3::uuid IS NULL OR e.patient_id = $3)
            AND ($4::text IS NULL OR e.status = $4)
            AND ($5::text IS NULL OR e.kind = $5)
            AND ($6::timestamptz IS NULL OR (e.created_at, e.id) < ($6, $7::uuid))
          ORDER BY e.created_at DESC, e.id DESC
          LIMIT $8",
    )
    .bind(filter.is_admin)
    .bind(&filter.clinic_ids)
    .bind(filter.patient_id)
    .bind(filter.status)
    .bind(filter.kind)
    .bind(filter.after.as_ref().map(|after| after.created_at))
    .bind(filter.after.as_ref().map(|after| after.id))
    .bind(filter.limit + 1)
    .fetch_all(conn)
    .await
}

#[utoipa::path(get, path = "/v1/staff/emails", tag = "staff",
    params(
        ("patient_id" = Option<Uuid>, Query),
        ("status" = Option<EmailStatus>, Query, description = "Only emails in this state"),
        ("kind" = Option<EmailKind>, Query, description = "Only emails of this kind"),
        ("limit" = Option<i64>, Query, description = "1..=100, default 20"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Emails of your clinics, newest first", body = Page<OutboxEmailView>),
        (status = 400, description = "Malformed parameters", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_emails(
    StaffConnection { staff, mut conn }: StaffConnection,
    mut query: QueryParams,
) -> Result<Json<Page<OutboxEmailView>>, ApiError> {
    let patient_id = query.uuid("patient_id");
    let status = query.one_of("status", EmailStatus::all());
    let kind = query.one_of("kind", EmailKind::all());
    let limit = query.limit();
    let after: Option<EmailPosition> = query.cursor();
    query.finish()?;
    let (is_admin, clinic_ids) = staff.scope();
    let filter = EmailFilter {
        is_admin,
        clinic_ids,
        patient_id,
        status,
        kind,
        after,
        limit,
    };
    let rows = list(&mut conn, &filter).await?;
    Ok(Json(Page::from_rows(rows, limit, EmailPosition::of)))
}
