//! Admin endpoints for weekly hours and time off:
//! `PUT/GET /v1/admin/practitioners/{id}/schedule`, `POST /v1/admin/practitioners/{id}/time-off`.

use crate::domain::fields::FieldReader;
use crate::domain::{Invalid, text};
use crate::error::{ApiError, FieldError};
use crate::http::extract::JsonObject;
use crate::scheduling::schedule::{self, WeeklyRange};
use crate::scheduling::store;
use crate::staff::audit::{self, AuditEntry};
use crate::staff::auth::{CurrentStaff, StaffConnection};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
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

#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduleView {
    pub practitioner_id: Uuid,
    /// The clinic's IANA zone the hours are in.
    pub time_zone: String,
    pub slot_minutes: Option<u32>,
    pub weekly: Vec<WeeklyRange>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TimeOffBody {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    #[schema(schema_with = crate::domain::schema::reason)]
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct TimeOffView {
    pub id: Uuid,
    pub practitioner_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

fn parse_schedule(
    body: &serde_json::Map<String, serde_json::Value>,
) -> Result<(u32, Vec<WeeklyRange>), ApiError> {
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
                .map(|(field, invalid)| FieldError::new(field, invalid.code, invalid.message))
                .collect(),
        )
    })?;
    Ok((slot_minutes, weekly))
}

/// The practitioner's clinic zone; 404 when there is no such practitioner.
async fn zone_of(
    conn: &mut PgConnection,
    practitioner_id: Uuid,
) -> Result<(String, Uuid), ApiError> {
    let bookable = store::bookable(conn, practitioner_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((bookable.time_zone, bookable.clinic_id))
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
    let (slot_minutes, weekly) = parse_schedule(&body)?;
    let mut tx = crate::db::begin(&state.db).await?;
    let (time_zone, clinic_id) = zone_of(&mut tx, id).await?;
    store::replace_schedule(&mut tx, id, slot_minutes, &weekly).await?;
    audit::record(
        &mut tx,
        AuditEntry {
            staff_id: staff.id,
            action: "schedule.replace",
            entity_type: "practitioner",
            entity_id: id,
            clinic_id: Some(clinic_id),
            detail: serde_json::json!({"slot_minutes": slot_minutes, "ranges": weekly.len()}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Json(ScheduleView {
        practitioner_id: id,
        time_zone,
        slot_minutes: Some(slot_minutes),
        weekly,
    }))
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
    let (time_zone, _) = zone_of(&mut conn, id).await?;
    let schedule = store::schedule(&mut conn, id).await?;
    Ok(Json(ScheduleView {
        practitioner_id: id,
        time_zone,
        slot_minutes: schedule.as_ref().map(|s| s.slot_minutes),
        weekly: schedule.map(|s| s.weekly).unwrap_or_default(),
    }))
}

/// A validated time-off entry.
struct TimeOffEntry {
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    reason: Option<String>,
}

fn parse_time_off(
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
                Invalid::new("end_before_start", "must be after starts_at"),
            );
        } else if ends - starts > chrono::Duration::days(MAX_TIME_OFF_DAYS) {
            reader.error(
                "ends_at",
                Invalid::new("too_long", "time off is at most 366 days per entry"),
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

/// An RFC 3339 time with an offset (`2026-12-01T14:30:00-05:00`).
pub fn parse_instant(raw: &str) -> Result<DateTime<Utc>, Invalid> {
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|time| time.with_timezone(&Utc))
        .map_err(|_| {
            Invalid::new(
                "invalid_datetime",
                "must be an RFC 3339 time with offset, e.g. 2026-12-01T14:30:00-05:00",
            )
        })
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
    let TimeOffEntry {
        starts_at,
        ends_at,
        reason,
    } = parse_time_off(&body)?;
    let mut tx = crate::db::begin(&state.db).await?;
    let (_, clinic_id) = zone_of(&mut tx, id).await?;
    let view: TimeOffView = sqlx::query_as(
        "INSERT INTO time_off (id, practitioner_id, starts_at, ends_at, reason, created_by)
         VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING id, practitioner_id, starts_at, ends_at, reason, created_at",
    )
    .bind(Uuid::now_v7())
    .bind(id)
    .bind(starts_at)
    .bind(ends_at)
    .bind(&reason)
    .bind(staff.id)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        AuditEntry {
            staff_id: staff.id,
            action: "time_off.create",
            entity_type: "practitioner",
            entity_id: id,
            clinic_id: Some(clinic_id),
            detail: serde_json::json!({"time_off_id": view.id, "starts_at": starts_at, "ends_at": ends_at}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(view)))
}
