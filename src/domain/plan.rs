//! What a plan holds once resolved: the shape stored with the plan, shown to staff and emailed.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// One exercise of a plan, resolved: a library item with its defaults (or the overrides given), or
/// a custom one as written.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlanExercise {
    /// The library item it came from; null for a custom exercise.
    pub exercise_id: Option<Uuid>,
    pub name: String,
    pub instructions: Vec<String>,
    pub sets: Option<i32>,
    pub reps: Option<i32>,
    pub hold_seconds: Option<i32>,
}
