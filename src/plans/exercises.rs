//! `GET /v1/staff/exercises` over JSON: the exercise library staff build plans from;
//! `plans::library` reads it.

use crate::error::ApiError;
use crate::plans::library;
use crate::plans::store::Exercise;
use crate::staff::auth::StaffConnection;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// The whole library, by name.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExerciseLibrary {
    pub items: Vec<Exercise>,
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
        items: library::exercises(&mut conn).await?,
    }))
}
