//! The front desk's bookings: list, detail, confirm, cancel, reschedule, complete, no-show.
//! Every query is scoped to the staff member's clinics, and every action is audited.

use crate::consent::ledger::{self, ConsentState};
use crate::domain::consent::Sender;
use crate::domain::fields::FieldReader;
use crate::domain::status::BookingStatus;
use crate::domain::text;
use crate::error::ApiError;
use crate::http::extract::JsonObject;
use crate::http::query::{Page, QueryParams};
use crate::patients::handlers::EmailView;
use crate::scheduling::availability::lead;
use crate::scheduling::bookings::{self, BookingFilter, BookingRow, BookingView};
use crate::scheduling::hours::parse_instant;
use crate::scheduling::lifecycle::{self, Action, Transition};
use crate::scheduling::public_booking::check_slot;
use crate::scheduling::{expiry, notify, store};
use crate::staff::audit::{self, AuditEntry};
use crate::staff::auth::{CurrentStaff, StaffConnection};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::{PgConnection, Postgres, Transaction};
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

fn parse_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::NotFound)
}

/// The booking, locked, when the staff member may see it: 404 otherwise (another clinic's included).
async fn locked(
    conn: &mut PgConnection,
    staff: &CurrentStaff,
    id: Uuid,
) -> Result<BookingRow, ApiError> {
    let (is_admin, clinic_ids) = staff.scope();
    bookings::find(conn, id, Some((is_admin, &clinic_ids)), true)
        .await?
        .ok_or(ApiError::NotFound)
}

async fn reload(conn: &mut PgConnection, id: Uuid) -> Result<BookingRow, ApiError> {
    bookings::find(conn, id, None, false).await?.ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!(
            "booking {id} vanished in its own transaction"
        ))
    })
}

async fn audit_action(
    conn: &mut PgConnection,
    staff: &CurrentStaff,
    booking: &BookingRow,
    action: Action,
    detail: Value,
) -> Result<(), sqlx::Error> {
    audit::record(
        conn,
        AuditEntry {
            staff_id: staff.id,
            action: &format!("booking.{}", action.as_str()),
            entity_type: "booking",
            entity_id: booking.id,
            clinic_id: Some(booking.clinic_id),
            detail,
        },
    )
    .await
}

fn transition(booking: &BookingRow, action: Action) -> Result<Transition, ApiError> {
    lifecycle::apply(booking.status, action)
        .map_err(|detail| ApiError::conflict("invalid_transition", detail))
}

/// Begins `action` on a booking: its transaction, the booking locked (404 when the staff member
/// may not see it) and the transition it makes (409 when none).
///
/// A request whose start has passed unconfirmed has expired, whether or not the expiry job has
/// marked it yet: it is expired here, committed (its time is free again), and the action is
/// refused as on any expired booking. So confirming it late is a 409 however fast the job runs.
async fn begin_action(
    state: &AppState,
    staff: &CurrentStaff,
    id: Uuid,
    action: Action,
) -> Result<(Transaction<'static, Postgres>, BookingRow, Transition), ApiError> {
    let mut tx = crate::db::begin(&state.db).await?;
    let booking = locked(&mut tx, staff, id).await?;
    if expiry::expire_one(&mut tx, &booking, Utc::now()).await? {
        tx.commit().await?;
        let detail = lifecycle::apply(BookingStatus::Expired, action)
            .err()
            .unwrap_or_else(|| "the booking request has expired".to_owned());
        return Err(ApiError::conflict("invalid_transition", detail));
    }
    let transition = transition(&booking, action)?;
    Ok((tx, booking, transition))
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
        (status = 401, description = "No or bad staff token", body = crate::http::error::Problem, content_type = "application/problem+json"),
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
    let (is_admin, clinic_ids) = staff.scope();
    let filter = BookingFilter {
        is_admin,
        clinic_ids,
        status,
        clinic_id,
        practitioner_id,
        patient_id,
        from,
        to,
        after,
        limit,
    };
    let rows = bookings::list(&mut conn, &filter).await?;
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
        (status = 401, description = "No or bad staff token", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such booking, or not one of your clinics'", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_booking(
    State(state): State<AppState>,
    staff: CurrentStaff,
    Path(id): Path<String>,
) -> Result<Json<BookingDetail>, ApiError> {
    let id = parse_id(&id)?;
    let (is_admin, clinic_ids) = staff.scope();
    let mut tx = crate::db::begin(&state.db).await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let booking = bookings::find(&mut tx, id, Some((is_admin, &clinic_ids)), false)
        .await?
        .ok_or(ApiError::NotFound)?;
    // The booking's clinic's part of the patient only: the details given with this booking and
    // the consents in force at this clinic (what another clinic was told stays with it).
    let consents = ledger::current(
        &mut tx,
        booking.patient_id,
        &[Sender::Clinic(booking.clinic_id)],
    )
    .await?;
    let emails: Vec<EmailView> = sqlx::query_as(
        "SELECT id, kind, to_address::text AS to, status, attempts, last_error, created_at, sent_at
           FROM email_outbox WHERE booking_id = $1 ORDER BY created_at, id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Json(BookingDetail {
        booking: BookingView::from(&booking),
        patient: PatientSummary {
            id: booking.patient_id,
            name: booking.name.clone(),
            email: Some(booking.email.clone()),
            phone: booking.phone.clone(),
        },
        consents,
        emails,
    }))
}

#[utoipa::path(post, path = "/v1/staff/bookings/{id}/confirm", tag = "staff",
    params(("id" = Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Confirmed (confirming again changes nothing and sends nothing)", body = BookingView),
        (status = 401, description = "No or bad staff token", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such booking, or not one of your clinics'", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not confirmable in its status (an expired request included, and a request whose start has passed, which expires)", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn confirm_booking(
    State(state): State<AppState>,
    staff: CurrentStaff,
    Path(id): Path<String>,
) -> Result<Json<BookingView>, ApiError> {
    let id = parse_id(&id)?;
    let (mut tx, booking, transition) = begin_action(&state, &staff, id, Action::Confirm).await?;
    let Transition::To(status) = transition else {
        tx.rollback().await?;
        return Ok(Json(BookingView::from(&booking)));
    };
    bookings::set_status(&mut tx, id, status, None).await?;
    let booking = reload(&mut tx, id).await?;
    let settings = &state.settings;
    notify::confirmed(
        &mut tx,
        &booking,
        &settings.mail_from,
        &settings.reminder_offsets,
        Utc::now(),
    )
    .await?;
    audit_action(&mut tx, &staff, &booking, Action::Confirm, json!({})).await?;
    tx.commit().await?;
    Ok(Json(BookingView::from(&booking)))
}

#[utoipa::path(post, path = "/v1/staff/bookings/{id}/cancel", tag = "staff",
    params(("id" = Uuid, Path)),
    request_body = CancelBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Cancelled; the slot is free again and pending reminders are withdrawn", body = BookingView),
        (status = 401, description = "No or bad staff token", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such booking, or not one of your clinics'", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already cancelled, or finished", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = crate::http::error::Problem, content_type = "application/problem+json"),
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
    let (mut tx, booking, transition) = begin_action(&state, &staff, id, Action::Cancel).await?;
    let Transition::To(status) = transition else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "cancel never answers AlreadyDone"
        )));
    };
    bookings::set_status(&mut tx, id, status, reason.as_deref()).await?;
    let cancelled = reload(&mut tx, id).await?;
    let was_confirmed = booking.status == BookingStatus::Confirmed;
    notify::cancelled(
        &mut tx,
        &cancelled,
        was_confirmed,
        notify_patient,
        reason.as_deref(),
        &state.settings.mail_from,
    )
    .await?;
    audit_action(
        &mut tx,
        &staff,
        &cancelled,
        Action::Cancel,
        json!({"reason": reason, "notify_patient": notify_patient}),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(BookingView::from(&cancelled)))
}

#[utoipa::path(post, path = "/v1/staff/bookings/{id}/reschedule", tag = "staff",
    params(("id" = Uuid, Path)),
    request_body = RescheduleBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Moved to the new slot; reminders move with it", body = BookingView),
        (status = 401, description = "No or bad staff token", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such booking, or not one of your clinics'", body = crate::http::error::Problem, content_type = "application/problem+json"),
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
    let (mut tx, booking, _) = begin_action(&state, &staff, id, Action::Reschedule).await?;
    let practitioner = store::bookable(&mut tx, booking.practitioner_id)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("booking without practitioner")))?;
    let ends_at = check_slot(&mut tx, &practitioner, starts_at, lead(&state), Some(id)).await?;
    bookings::move_to(&mut tx, id, starts_at, ends_at).await?;
    let moved = reload(&mut tx, id).await?;
    let settings = &state.settings;
    notify::rescheduled(
        &mut tx,
        &moved,
        booking.starts_at,
        &settings.mail_from,
        &settings.reminder_offsets,
        Utc::now(),
    )
    .await?;
    audit_action(
        &mut tx,
        &staff,
        &moved,
        Action::Reschedule,
        json!({"from": booking.starts_at, "to": moved.starts_at}),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(BookingView::from(&moved)))
}

/// Complete and no-show: a status change, audited, with no email.
async fn close(
    state: AppState,
    staff: CurrentStaff,
    id: &str,
    action: Action,
) -> Result<Json<BookingView>, ApiError> {
    let id = parse_id(id)?;
    let (mut tx, _, transition) = begin_action(&state, &staff, id, action).await?;
    let Transition::To(status) = transition else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "{} never answers AlreadyDone",
            action.as_str()
        )));
    };
    bookings::set_status(&mut tx, id, status, None).await?;
    let closed = reload(&mut tx, id).await?;
    audit_action(&mut tx, &staff, &closed, action, json!({})).await?;
    tx.commit().await?;
    Ok(Json(BookingView::from(&closed)))
}

#[utoipa::path(post, path = "/v1/staff/bookings/{id}/complete", tag = "staff",
    params(("id" = Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Completed", body = BookingView),
        (status = 401, description = "No or bad staff token", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such booking, or not one of your clinics'", body = crate::http::error::Problem, content_type = "application/problem+json"),
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
        (status = 401, description = "No or bad staff token", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such booking, or not one of your clinics'", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Only a confirmed booking can be a no-show", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn no_show_booking(
    State(state): State<AppState>,
    staff: CurrentStaff,
    Path(id): Path<String>,
) -> Result<Json<BookingView>, ApiError> {
    close(state, staff, &id, Action::NoShow).await
}
