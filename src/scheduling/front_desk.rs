//! The front desk's bookings over JSON: list, detail, confirm, cancel, reschedule, complete,
//! no-show. These handlers only translate HTTP; `scheduling::desk` holds the rules.

use crate::consent::ledger::ConsentState;
use crate::domain::fields::FieldReader;
use crate::domain::status::BookingStatus;
use crate::domain::text;
use crate::email::history::EmailView;
use crate::error::ApiError;
use crate::http::extract::JsonObject;
use crate::http::query::{Page, QueryParams};
use crate::scheduling::bookings::BookingView;
use crate::scheduling::desk::{self, BookingQuery, Cancellation};
use crate::scheduling::lifecycle::Action;
use crate::scheduling::schedule::parse_instant;
use crate::staff::auth::{CurrentStaff, StaffConnection};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct PatientSummary {
    pub id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// A booking with the patient, their current consents and the booking's emails.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookingDetail {
    #[serde(flatten)]
    pub booking: BookingView,
    /// The patient as they gave their details with this booking.
    pub patient: PatientSummary,
    /// The consents in force at this booking's clinic.
    pub consents: Vec<ConsentState>,
    pub emails: Vec<EmailView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct CancelBody {
    #[schema(schema_with = crate::domain::schema::reason)]
    pub reason: Option<String>,
    /// Default true: the patient gets a cancellation email (with a cancelling calendar invite).
    pub notify_patient: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct RescheduleBody {
    /// One of the practitioner's free slots.
    #[schema(format = DateTime, example = "2026-12-02T10:00:00-05:00")]
    pub starts_at: String,
}

/// The 404 of every booking operation: an unknown booking and another clinic's answer the same.
#[derive(utoipa::IntoResponses)]
#[response(
    status = 404,
    description = "No such booking, or not one of your clinics'",
    content_type = "application/problem+json"
)]
#[allow(dead_code)]
struct BookingNotFound(crate::http::error::Problem);

fn parse_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::NotFound)
}

#[utoipa::path(get, path = "/v1/staff/bookings", tag = "staff",
    params(
        ("status" = Option<crate::domain::status::BookingStatus>, Query, description = "`expired`: requests nobody confirmed by their start time"),
        ("clinic_id" = Option<Uuid>, Query),
        ("practitioner_id" = Option<Uuid>, Query),
        ("patient_id" = Option<Uuid>, Query),
        ("from" = Option<String>, Query, description = "RFC 3339: bookings starting at or after"),
        ("to" = Option<String>, Query, description = "RFC 3339: bookings starting before"),
        ("limit" = Option<i64>, Query, description = "1..=100, default 20"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Soonest first", body = Page<BookingView>),
        (status = 400, description = "Malformed parameters", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_bookings(
    StaffConnection { staff, mut conn }: StaffConnection,
    mut query: QueryParams,
) -> Result<Json<Page<BookingView>>, ApiError> {
    let status = query.one_of("status", BookingStatus::all());
    let clinic_id = query.uuid("clinic_id");
    let practitioner_id = query.uuid("practitioner_id");
    let patient_id = query.uuid("patient_id");
    let from = query.optional("from", parse_instant);
    let to = query.optional("to", parse_instant);
    let limit = query.limit();
    let after: Option<(DateTime<Utc>, Uuid)> = query.cursor();
    query.finish()?;
    let request = BookingQuery {
        status,
        clinic_id,
        practitioner_id,
        patient_id,
        from,
        to,
        after,
        limit,
    };
    let rows = desk::list(&mut conn, &staff, request).await?;
    let page = Page::from_rows(rows, limit, |row| (row.starts_at, row.id));
    Ok(Json(Page {
        items: page.items.iter().map(BookingView::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(get, path = "/v1/staff/bookings/{id}", tag = "staff",
    params(("id" = Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The booking with its patient, consents and emails", body = BookingDetail),
        BookingNotFound,
    ))]
pub async fn get_booking(
    State(state): State<AppState>,
    staff: CurrentStaff,
    Path(id): Path<String>,
) -> Result<Json<BookingDetail>, ApiError> {
    let file = desk::file(&state, &staff, parse_id(&id)?).await?;
    let booking = &file.booking;
    Ok(Json(BookingDetail {
        booking: BookingView::from(booking),
        patient: PatientSummary {
            id: booking.patient_id,
            name: booking.name.clone(),
            email: Some(booking.email.clone()),
            phone: booking.phone.clone(),
        },
        consents: file.consents,
        emails: file.emails,
    }))
}

#[utoipa::path(post, path = "/v1/staff/bookings/{id}/confirm", tag = "staff",
    params(("id" = Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Confirmed (confirming again changes nothing and sends nothing)", body = BookingView),
        BookingNotFound,
        (status = 409, description = "Not confirmable in its status (an expired request included, and a request whose start has passed, which expires)", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn confirm_booking(
    State(state): State<AppState>,
    staff: CurrentStaff,
    Path(id): Path<String>,
) -> Result<Json<BookingView>, ApiError> {
    let booking = desk::confirm(&state, &staff, parse_id(&id)?).await?;
    Ok(Json(BookingView::from(&booking)))
}

#[utoipa::path(post, path = "/v1/staff/bookings/{id}/cancel", tag = "staff",
    params(("id" = Uuid, Path)),
    request_body = CancelBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Cancelled; the slot is free again and pending reminders are withdrawn", body = BookingView),
        BookingNotFound,
        (status = 409, description = "Already cancelled, or finished", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn cancel_booking(
    State(state): State<AppState>,
    staff: CurrentStaff,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> Result<Json<BookingView>, ApiError> {
    let id = parse_id(&id)?;
    let mut reader = FieldReader::new(&body);
    let reason = reader.optional("reason", |raw| {
        text::bounded_text(raw, 0, text::MAX_REASON_CHARS, true)
    });
    let notify_patient = if reader.is_present("notify_patient") {
        reader.required_bool("notify_patient")
    } else {
        Some(true)
    };
    reader.finish()?;
    crate::all_valid!(reason, notify_patient);
    let cancellation = Cancellation {
        reason,
        notify_patient,
    };
    let cancelled = desk::cancel(&state, &staff, id, cancellation).await?;
    Ok(Json(BookingView::from(&cancelled)))
}

#[utoipa::path(post, path = "/v1/staff/bookings/{id}/reschedule", tag = "staff",
    params(("id" = Uuid, Path)),
    request_body = RescheduleBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Moved to the new slot; reminders move with it", body = BookingView),
        BookingNotFound,
        (status = 409, description = "The new slot is taken, or the booking is finished", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not one of the practitioner's slots (the reason is given)", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn reschedule_booking(
    State(state): State<AppState>,
    staff: CurrentStaff,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> Result<Json<BookingView>, ApiError> {
    let id = parse_id(&id)?;
    let mut reader = FieldReader::new(&body);
    let starts_at = reader.required("starts_at", parse_instant);
    reader.finish()?;
    crate::all_valid!(starts_at);
    let moved = desk::reschedule(&state, &staff, id, starts_at).await?;
    Ok(Json(BookingView::from(&moved)))
}

/// Complete and no-show: a status change, audited, with no email.
async fn close(
    state: AppState,
    staff: CurrentStaff,
    id: &str,
    action: Action,
) -> Result<Json<BookingView>, ApiError> {
    let closed = desk::close(&state, &staff, parse_id(id)?, action).await?;
    Ok(Json(BookingView::from(&closed)))
}

#[utoipa::path(post, path = "/v1/staff/bookings/{id}/complete", tag = "staff",
    params(("id" = Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Completed", body = BookingView),
        BookingNotFound,
        (status = 409, description = "Only a confirmed booking can be completed", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn complete_booking(
    State(state): State<AppState>,
    staff: CurrentStaff,
    Path(id): Path<String>,
) -> Result<Json<BookingView>, ApiError> {
    close(state, staff, &id, Action::Complete).await
}

#[utoipa::path(post, path = "/v1/staff/bookings/{id}/no-show", tag = "staff",
    params(("id" = Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Marked as a no-show", body = BookingView),
        BookingNotFound,
        (status = 409, description = "Only a confirmed booking can be a no-show", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn no_show_booking(
    State(state): State<AppState>,
    staff: CurrentStaff,
    Path(id): Path<String>,
) -> Result<Json<BookingView>, ApiError> {
    close(state, staff, &id, Action::NoShow).await
}
