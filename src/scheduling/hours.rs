//! Admin endpoints for weekly hours and time off over JSON:
//! `PUT/GET /v1/admin/practitioners/{id}/schedule`, `POST /v1/admin/practitioners/{id}/time-off`.
//! These handlers only translate HTTP; `scheduling::working_hours` holds the rules. Each refuses a
//! non-admin before reading the path or body, so a staff member learns nothing about the request's
//! shape (403, never a 404 or 422); the service functions check again for any other door.

use crate::domain::fields::FieldReader;
use crate::domain::{Invalid, text};
use crate::error::{ApiError, FieldError};
use crate::http::extract::JsonObject;
use crate::scheduling::schedule::{self, WeeklyRange, parse_instant};
use crate::scheduling::store::TimeOffView;
use crate::scheduling::working_hours::{self, ScheduleView, TimeOffEntry, Week};
use crate::staff::auth::{CurrentStaff, StaffConnection};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// Longest time off accepted in one entry; longer absences are several entries or a deactivation.
const MAX_TIME_OFF_DAYS: i64 = 366;

/// Body of `PUT /v1/admin/practitioners/{id}/schedule` (documentation; parsed field by field).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct ScheduleBody {
    /// Ranges of working hours in the clinic's local time; several a day allowed, never overlapping.
    #[schema(schema_with = weekly_schema)]
    pub weekly: Vec<WeeklyRange>,
    #[schema(schema_with = slot_minutes_schema)]
    pub slot_minutes: u32,
}

/// How many ranges one week may hold (one an hour).
const MAX_WEEKLY_RANGES: usize = 7 * 24;

fn weekly_schema() -> utoipa::openapi::schema::Schema {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(<WeeklyRange as utoipa::PartialSchema>::schema())
        .max_items(Some(MAX_WEEKLY_RANGES))
        .into()
}

fn slot_minutes_schema() -> utoipa::openapi::schema::Schema {
    crate::domain::schema::whole(
        schedule::MIN_SLOT_MINUTES.into(),
        schedule::MAX_SLOT_MINUTES.into(),
    )
    .examples([15])
    .into()
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TimeOffBody {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    #[schema(schema_with = crate::domain::schema::reason)]
    pub reason: Option<String>,
}

/// Reads a week of hours (also the console's form, turned into the same fields).
pub fn parse_schedule(body: &serde_json::Map<String, serde_json::Value>) -> Result<Week, ApiError> {
    let mut reader = FieldReader::new(body);
    let slot_minutes = reader.required_i64("slot_minutes", schedule::check_slot_minutes);
    let weekly = reader.object_array("weekly", MAX_WEEKLY_RANGES, |range| {
        let weekday = range.required_i64("weekday", schedule::parse_weekday);
        let start = range.required("start", schedule::parse_time);
        let end = range.required("end", schedule::parse_time);
        Some(WeeklyRange {
            weekday: weekday?,
            start: start?,
            end: end?,
        })
    });
    reader.finish()?;
    crate::all_valid!(slot_minutes, weekly);
    let weekly = schedule::validate_week(weekly).map_err(|errors| {
        ApiError::Validation(
            errors
                .into_iter()
                .map(|(field, invalid)| FieldError::new(field, invalid))
                .collect(),
        )
    })?;
    Ok(Week {
        slot_minutes,
        weekly,
    })
}

#[utoipa::path(put, path = "/v1/admin/practitioners/{id}/schedule", tag = "admin",
    params(("id" = Uuid, Path)),
    request_body = ScheduleBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The weekly hours now in force", body = ScheduleView),
        (status = 404, description = "No such practitioner", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid or overlapping ranges", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn put_schedule(
    State(state): State<AppState>,
    staff: CurrentStaff,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> Result<Json<ScheduleView>, ApiError> {
    staff.require_admin()?;
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound)?;
    let week = parse_schedule(&body)?;
    let view = working_hours::replace_schedule(&state, &staff, id, week).await?;
    Ok(Json(view))
}

#[utoipa::path(get, path = "/v1/admin/practitioners/{id}/schedule", tag = "admin",
    params(("id" = Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The weekly hours (empty when none were set)", body = ScheduleView),
        (status = 404, description = "No such practitioner", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_schedule(
    StaffConnection { staff, mut conn }: StaffConnection,
    Path(id): Path<String>,
) -> Result<Json<ScheduleView>, ApiError> {
    staff.require_admin()?;
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound)?;
    let view = working_hours::schedule(&mut conn, &staff, id).await?;
    Ok(Json(view))
}

/// Reads a time-off entry (also the console's form, turned into the same fields).
pub fn parse_time_off(
    body: &serde_json::Map<String, serde_json::Value>,
) -> Result<TimeOffEntry, ApiError> {
    let mut reader = FieldReader::new(body);
    let starts_at = reader.required("starts_at", parse_instant);
    let ends_at = reader.required("ends_at", parse_instant);
    let reason = reader.optional("reason", |raw| {
        text::bounded_text(raw, 0, text::MAX_REASON_CHARS, true)
    });
    if let (Some(starts), Some(ends)) = (starts_at, ends_at) {
        if ends <= starts {
            reader.error(
                "ends_at",
                Invalid::new("end_before_start", "field-end-before-start")
                    .arg("start", "starts_at"),
            );
        } else if ends - starts > chrono::Duration::days(MAX_TIME_OFF_DAYS) {
            reader.error(
                "ends_at",
                Invalid::new("too_long", "field-time-off-too-long"),
            );
        }
    }
    reader.finish()?;
    Ok(crate::valid_form!(TimeOffEntry {
        starts_at,
        ends_at,
        reason
    }))
}

#[utoipa::path(post, path = "/v1/admin/practitioners/{id}/time-off", tag = "admin",
    params(("id" = Uuid, Path)),
    request_body = TimeOffBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Recorded; no slot overlapping it is offered", body = TimeOffView),
        (status = 404, description = "No such practitioner", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid times", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn add_time_off(
    State(state): State<AppState>,
    staff: CurrentStaff,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> Result<(StatusCode, Json<TimeOffView>), ApiError> {
    staff.require_admin()?;
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound)?;
    let entry = parse_time_off(&body)?;
    let view = working_hours::add_time_off(&state, &staff, id, entry).await?;
    Ok((StatusCode::CREATED, Json(view)))
}
