//! The exercise library staff build plans from (small, seeded by the migrations), whichever door
//! asks.

use crate::error::ApiError;
use crate::plans::store::{self, Exercise};
use sqlx::PgConnection;

/// Every exercise, by name.
pub async fn exercises(conn: &mut PgConnection) -> Result<Vec<Exercise>, ApiError> {
    Ok(store::exercise_library(conn).await?)
}
