//! `GET /v1/staff/emails` over JSON: the outbox as the front desk sees it, newest first;
//! `plans::email_list` holds the rules.

use crate::domain::email_kind::EmailKind;
use crate::domain::status::EmailStatus;
use crate::error::ApiError;
use crate::http::query::{Page, QueryParams};
use crate::plans::email_list;
use crate::plans::email_store::{EmailFilter, EmailPosition, OutboxEmailView};
use crate::staff::auth::StaffConnection;
use axum::Json;

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
    let filter = EmailFilter {
        patient_id,
        status,
        kind,
        after,
        limit,
    };
    let rows = email_list::list(&mut conn, &staff, filter).await?;
    Ok(Json(Page::from_rows(rows, limit, EmailPosition::of)))
}
