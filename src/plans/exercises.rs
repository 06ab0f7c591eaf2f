//! `GET /v1/staff/exercises`: the exercise library staff build plans from (small, seeded by the migrations).

use crate::error::ApiError;
use crate::staff::auth::StaffConnection;
use axum::Json;
use serde::Serialize;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

/// One exercise of the library, with its default dose.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
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

/// The whole library, by name.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExerciseLibrary {
    pub items: Vec<Exercise>,
}

/// Every exercise, by name.
pub async fn library(conn: &mut PgConnection) -> Result<Vec<Exercise>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, slug, name, body_area, instructions, sets, reps, hold_seconds
           FROM exercises ORDER BY name, id",
    )
    .fetch_all(conn)
    .await
}

#[utoipa::path(get, path = "/v1/staff/exercises", tag = "staff",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The exercise library, by name", body = ExerciseLibrary),
    ))]
pub async fn list_exercises(
    StaffConnection { mut conn, .. }: StaffConnection,
) -> Result<Json<ExerciseLibrary>, ApiError> {
    Ok(Json(ExerciseLibrary {
        items: library(&mut conn).await?,
    }))
}
