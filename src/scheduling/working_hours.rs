//! What an admin sets of a practitioner's working time, whichever door it came through: the
//! weekly hours (replaced whole) and time off. Each use case is admin-only, answers 404 for an
//! unknown practitioner, and audits what it wrote in the same transaction.

use crate::error::ApiError;
use crate::scheduling::schedule::WeeklyRange;
use crate::scheduling::store::{self, NewTimeOff, TimeOffView};
use crate::staff::audit::{self, AuditEntry};
use crate::staff::auth::CurrentStaff;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduleView {
    pub practitioner_id: Uuid,
    /// The clinic's IANA zone the hours are in.
    pub time_zone: String,
    pub slot_minutes: Option<u32>,
    pub weekly: Vec<WeeklyRange>,
}

/// A validated week: ranges sorted and not overlapping (`schedule::validate_week`).
pub struct Week {
    pub slot_minutes: u32,
    pub weekly: Vec<WeeklyRange>,
}

/// A validated time-off entry: it ends after it starts, within the longest entry allowed.
pub struct TimeOffEntry {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: Option<String>,
}

/// The practitioner's clinic zone and clinic; 404 when there is no such practitioner.
async fn zone_of(
    conn: &mut PgConnection,
    practitioner_id: Uuid,
) -> Result<(String, Uuid), ApiError> {
    let bookable = store::bookable(conn, practitioner_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((bookable.time_zone, bookable.clinic_id))
}

/// Replaces the practitioner's weekly hours with `week`; the hours now in force.
pub async fn replace_schedule(
    state: &AppState,
    staff: &CurrentStaff,
    practitioner_id: Uuid,
    week: Week,
) -> Result<ScheduleView, ApiError> {
    staff.require_admin()?;
    let Week {
        slot_minutes,
        weekly,
    } = week;
    let mut tx = crate::db::begin(&state.db).await?;
    let (time_zone, clinic_id) = zone_of(&mut tx, practitioner_id).await?;
    store::replace_schedule(&mut tx, practitioner_id, slot_minutes, &weekly).await?;
    audit::record(
        &mut tx,
        AuditEntry {
            staff_id: staff.id,
            action: "schedule.replace",
            entity_type: "practitioner",
            entity_id: practitioner_id,
            clinic_id: Some(clinic_id),
            detail: serde_json::json!({"slot_minutes": slot_minutes, "ranges": weekly.len()}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(ScheduleView {
        practitioner_id,
        time_zone,
        slot_minutes: Some(slot_minutes),
        weekly,
    })
}

/// The practitioner's weekly hours (an empty week when none were set), read on `conn`.
pub async fn schedule(
    conn: &mut PgConnection,
    staff: &CurrentStaff,
    practitioner_id: Uuid,
) -> Result<ScheduleView, ApiError> {
    staff.require_admin()?;
    let (time_zone, _) = zone_of(conn, practitioner_id).await?;
    let schedule = store::schedule(conn, practitioner_id).await?;
    Ok(ScheduleView {
        practitioner_id,
        time_zone,
        slot_minutes: schedule.as_ref().map(|s| s.slot_minutes),
        weekly: schedule.map(|s| s.weekly).unwrap_or_default(),
    })
}

/// Records time off: from then on no slot overlapping it is offered.
pub async fn add_time_off(
    state: &AppState,
    staff: &CurrentStaff,
    practitioner_id: Uuid,
    entry: TimeOffEntry,
) -> Result<TimeOffView, ApiError> {
    staff.require_admin()?;
    let TimeOffEntry {
        starts_at,
        ends_at,
        reason,
    } = entry;
    let mut tx = crate::db::begin(&state.db).await?;
    let (_, clinic_id) = zone_of(&mut tx, practitioner_id).await?;
    let view = store::insert_time_off(
        &mut tx,
        NewTimeOff {
            practitioner_id,
            starts_at,
            ends_at,
            reason: reason.as_deref(),
            created_by: staff.id,
        },
    )
    .await?;
    audit::record(
        &mut tx,
        AuditEntry {
            staff_id: staff.id,
            action: "time_off.create",
            entity_type: "practitioner",
            entity_id: practitioner_id,
            clinic_id: Some(clinic_id),
            detail: serde_json::json!({"time_off_id": view.id, "starts_at": starts_at, "ends_at": ends_at}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(view)
}
