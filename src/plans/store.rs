//! The SQL of plans: the exercise library, the rows both kinds write and what choosing a plan's
//! clinic reads.

use crate::domain::plan::PlanExercise;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

/// One exercise of the library, with its default dose.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Exercise {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    /// Where it works: `thigh`, `calf`, `hip`, ...
    pub body_area: String,
    /// The steps, in order.
    pub instructions: Vec<String>,
    pub sets: Option<i32>,
    pub reps: Option<i32>,
    pub hold_seconds: Option<i32>,
}

/// Every exercise of the library, by name.
pub async fn exercise_library(conn: &mut PgConnection) -> Result<Vec<Exercise>, sqlx::Error> {
    sqlx::query_as!(
        Exercise,
        "SELECT id, slug, name, body_area, instructions, sets, reps, hold_seconds
           FROM exercises ORDER BY name, id",
    )
    .fetch_all(conn)
    .await
}

/// Who a plan is for, from whom, and where.
pub struct PlanKeys {
    pub plan_id: Uuid,
    pub patient_id: Uuid,
    pub clinic_id: Option<Uuid>,
    pub staff_id: Uuid,
}

/// A plan of care's row; returns when it was stored.
pub async fn insert_care_plan(
    conn: &mut PgConnection,
    keys: &PlanKeys,
    title: &str,
    summary: &str,
    goals: &[String],
    visits_per_week: i32,
    weeks: i32,
) -> Result<DateTime<Utc>, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO care_plans (id, patient_id, clinic_id, staff_id, title, summary, goals, visits_per_week, weeks)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         RETURNING created_at",
        keys.plan_id,
        keys.patient_id,
        keys.clinic_id,
        keys.staff_id,
        title,
        summary,
        goals,
        visits_per_week,
        weeks,
    )
    .fetch_one(conn)
    .await
}

/// An exercise plan's row, its exercises as resolved; returns when it was stored.
pub async fn insert_exercise_plan(
    conn: &mut PgConnection,
    keys: &PlanKeys,
    title: &str,
    note: Option<&str>,
    exercises: &[PlanExercise],
) -> Result<DateTime<Utc>, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO exercise_plans (id, patient_id, clinic_id, staff_id, title, note, exercises)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING created_at",
        keys.plan_id,
        keys.patient_id,
        keys.clinic_id,
        keys.staff_id,
        title,
        note,
        sqlx::types::Json(exercises) as _,
    )
    .fetch_one(conn)
    .await
}

/// The clinic of the patient's most recent booking or routed callback among `clinic_ids` (any, for
/// an admin).
pub async fn latest_visit_clinic(
    conn: &mut PgConnection,
    patient_id: Uuid,
    is_admin: bool,
    clinic_ids: &[Uuid],
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT clinic_id AS "clinic_id!" FROM (
             SELECT clinic_id, created_at, id FROM callback_requests
              WHERE patient_id = $1 AND clinic_id IS NOT NULL AND ($2 OR clinic_id = ANY($3))
             UNION ALL
             SELECT clinic_id, created_at, id FROM bookings
              WHERE patient_id = $1 AND ($2 OR clinic_id = ANY($3))
         ) AS visits
         ORDER BY created_at DESC, id DESC
         LIMIT 1"#,
        patient_id,
        is_admin,
        clinic_ids,
    )
    .fetch_optional(conn)
    .await
}

/// The staff member's name, which signs the plan's email.
pub async fn staff_name(conn: &mut PgConnection, staff_id: Uuid) -> Result<String, sqlx::Error> {
    sqlx::query_scalar!("SELECT name FROM staff WHERE id = $1", staff_id)
        .fetch_one(conn)
        .await
}
