//! `POST /v1/staff/patients/{id}/exercise-plans`: an exercise plan from library items or custom ones,
//! stored with every exercise resolved (name, steps, dose) and emailed under `exercise_plans`.

use super::library;
use super::send::{self, EXERCISE_PLAN};
use super::store::{self, Exercise};
use super::{QueuedEmail, location, optional_whole, required_strings};
use crate::domain::Invalid;
use crate::domain::fields::FieldReader;
use crate::domain::{schema, text};
use crate::email::payloads::{EmailPayload, ExercisePlan};
use crate::error::ApiError;
use crate::http::extract::JsonObject;
use crate::staff::auth::CurrentStaff;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema};
use utoipa::{PartialSchema, ToSchema};
use uuid::Uuid;

const MAX_EXERCISES: usize = 30;
const MAX_INSTRUCTIONS: usize = 20;
const MAX_NOTE_CHARS: usize = 2000;
const MAX_TITLE_CHARS: usize = 200;
const MAX_INSTRUCTION_CHARS: usize = 500;
const SETS: (i64, i64) = (1, 20);
const REPS: (i64, i64) = (1, 200);
const HOLD_SECONDS: (i64, i64) = (1, 600);

fn title_schema() -> Schema {
    schema::text(1, MAX_TITLE_CHARS, false).into()
}

fn note_schema() -> Schema {
    schema::optional_note(MAX_NOTE_CHARS)
}

fn custom_name_schema() -> Schema {
    schema::text(1, text::MAX_NAME_CHARS, false).into()
}

fn instructions_schema() -> Schema {
    ArrayBuilder::new()
        .items(schema::text(1, MAX_INSTRUCTION_CHARS, false))
        .min_items(Some(1))
        .max_items(Some(MAX_INSTRUCTIONS))
        .into()
}

fn dose(range: (i64, i64)) -> Schema {
    schema::whole(range.0, range.1).into()
}

fn sets_schema() -> Schema {
    dose(SETS)
}

fn reps_schema() -> Schema {
    dose(REPS)
}

fn hold_seconds_schema() -> Schema {
    dose(HOLD_SECONDS)
}

fn exercises_schema() -> Schema {
    ArrayBuilder::new()
        .items(schema::one_of(
            PlanExerciseBody::schema(),
            [
                // A library exercise, with nothing of a custom one.
                ObjectBuilder::new()
                    .required("exercise_id")
                    .property("name", schema::null())
                    .property("instructions", schema::null()),
                // A custom one.
                ObjectBuilder::new()
                    .required("name")
                    .required("instructions")
                    .property("exercise_id", schema::null()),
            ],
        ))
        .min_items(Some(1))
        .max_items(Some(MAX_EXERCISES))
        .into()
}

pub use crate::domain::plan::PlanExercise;

/// One exercise in the request: either `exercise_id`, or `name` and `instructions`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PlanExerciseBody {
    /// A library exercise; its name, steps and dose are copied into the plan.
    pub exercise_id: Option<Uuid>,
    /// A custom exercise's name (1..=200 characters), when no `exercise_id` is given.
    #[schema(schema_with = custom_name_schema)]
    pub name: Option<String>,
    /// A custom exercise's steps: 1..=20, each 1..=500 characters.
    #[schema(schema_with = instructions_schema)]
    pub instructions: Option<Vec<String>>,
    /// 1..=20; overrides the library default.
    #[schema(schema_with = sets_schema)]
    pub sets: Option<i32>,
    /// 1..=200; overrides the library default.
    #[schema(schema_with = reps_schema)]
    pub reps: Option<i32>,
    /// 1..=600; overrides the library default.
    #[schema(schema_with = hold_seconds_schema)]
    pub hold_seconds: Option<i32>,
}

/// Body of `POST /v1/staff/patients/{id}/exercise-plans`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ExercisePlanBody {
    #[schema(schema_with = title_schema)]
    pub title: String,
    /// 1..=30 exercises.
    #[schema(schema_with = exercises_schema)]
    pub exercises: Vec<PlanExerciseBody>,
    #[schema(schema_with = note_schema)]
    pub note: Option<String>,
    /// The clinic sending it (one of yours); default: the clinic of the patient's latest booking or
    /// callback that you can see.
    pub clinic_id: Option<Uuid>,
}

/// A stored exercise plan and the email it queued.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExercisePlanView {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub clinic_id: Option<Uuid>,
    pub title: String,
    pub note: Option<String>,
    pub exercises: Vec<PlanExercise>,
    pub email: QueuedEmail,
    pub created_at: DateTime<Utc>,
}

struct PlanForm {
    title: String,
    exercises: Vec<PlanExercise>,
    note: Option<String>,
    clinic_id: Option<Uuid>,
}

fn parse(body: &Map<String, Value>, library: &[Exercise]) -> Result<PlanForm, ApiError> {
    let mut reader = FieldReader::new(body);
    let title = reader.required("title", |raw| {
        text::bounded_text(raw, 1, MAX_TITLE_CHARS, false)
    });
    let exercises = reader.object_array("exercises", MAX_EXERCISES, |item| {
        read_exercise(item, library)
    });
    let exercises = match exercises {
        Some(list) if list.is_empty() => {
            reader.error(
                "exercises",
                Invalid::new("too_few", "field-too-few-exercises"),
            );
            None
        }
        other => other,
    };
    let note = reader.optional("note", |raw| {
        text::bounded_text(raw, 0, MAX_NOTE_CHARS, true)
    });
    let clinic_id = reader.optional_uuid("clinic_id");
    reader.finish()?;
    Ok(crate::valid_form!(PlanForm {
        title,
        exercises,
        note,
        clinic_id
    }))
}

/// Reads one exercise, recording every problem before giving up on it.
fn read_exercise(item: &mut FieldReader<'_>, library: &[Exercise]) -> Option<PlanExercise> {
    let sets = optional_whole(item, "sets", SETS.0, SETS.1);
    let reps = optional_whole(item, "reps", REPS.0, REPS.1);
    let hold_seconds = optional_whole(item, "hold_seconds", HOLD_SECONDS.0, HOLD_SECONDS.1);
    let base = if item.is_present("exercise_id") {
        if item.is_present("name") || item.is_present("instructions") {
            item.error(
                "exercise_id",
                Invalid::new("ambiguous", "field-ambiguous-exercise"),
            );
        }
        item.required_uuid("exercise_id")
            .and_then(|id| match library.iter().find(|known| known.id == id) {
                Some(known) => Some(known),
                None => {
                    item.error(
                        "exercise_id",
                        Invalid::new("unknown_exercise", "field-unknown-exercise"),
                    );
                    None
                }
            })
            .map(|known| PlanExercise {
                exercise_id: Some(known.id),
                name: known.name.clone(),
                instructions: known.instructions.clone(),
                sets: known.sets,
                reps: known.reps,
                hold_seconds: known.hold_seconds,
            })
    } else {
        let name = item.required("name", text::name);
        let instructions = required_strings(item, "instructions", MAX_INSTRUCTIONS, |raw| {
            text::bounded_text(raw, 1, MAX_INSTRUCTION_CHARS, false)
        });
        match (name, instructions) {
            (Some(name), Some(instructions)) => Some(PlanExercise {
                exercise_id: None,
                name,
                instructions,
                sets: None,
                reps: None,
                hold_seconds: None,
            }),
            _ => None,
        }
    };
    let (base, sets, reps, hold_seconds) = (base?, sets?, reps?, hold_seconds?);
    Some(PlanExercise {
        sets: sets.or(base.sets),
        reps: reps.or(base.reps),
        hold_seconds: hold_seconds.or(base.hold_seconds),
        ..base
    })
}

#[utoipa::path(post, path = "/v1/staff/patients/{id}/exercise-plans", tag = "staff",
    params(("id" = Uuid, Path, description = "The patient")),
    request_body = ExercisePlanBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored, and its email queued", body = ExercisePlanView, headers(("location" = String))),
        (status = 403, description = "`clinic_id` is not one of your clinics", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such patient, or none of your clinics has them", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "`no_email`: the patient has no email address; `consent_missing`: no `exercise_plans` consent (nothing is stored or sent)", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_exercise_plan(
    State(state): State<AppState>,
    staff: CurrentStaff,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> Result<(StatusCode, HeaderMap, Json<ExercisePlanView>), ApiError> {
    let patient_id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound)?;
    let plan = send_exercise_plan(&state, &staff, patient_id, &body).await?;
    let headers = location(format!(
        "/v1/staff/patients/{patient_id}/exercise-plans/{}",
        plan.id
    ));
    Ok((StatusCode::CREATED, headers, Json(plan)))
}

/// The use case behind every door: an exercise plan for the patient, from the library or written
/// out, stored and emailed in one transaction (404, 422 or 409 leave nothing behind). The body is
/// read inside it because an exercise's validity depends on the library the transaction sees.
pub async fn send_exercise_plan(
    state: &AppState,
    staff: &CurrentStaff,
    patient_id: Uuid,
    body: &serde_json::Map<String, serde_json::Value>,
) -> Result<ExercisePlanView, ApiError> {
    let mut draft = send::open(state, staff, patient_id, &EXERCISE_PLAN).await?;
    let known_exercises = library::exercises(draft.conn()).await?;
    let form = parse(body, &known_exercises)?;
    let addressed = draft.address(form.clinic_id).await?;
    let plan_id = addressed.plan_id;
    let created_at = store::insert_exercise_plan(
        draft.conn(),
        &addressed.keys(patient_id, staff.id),
        &form.title,
        form.note.as_deref(),
        &form.exercises,
    )
    .await?;
    let payload = EmailPayload::ExercisePlan(ExercisePlan {
        patient_name: draft.patient.name.clone(),
        title: form.title.clone(),
        note: form.note.clone(),
        exercises: form.exercises.clone(),
        staff_name: addressed.staff_name.clone(),
    });
    let detail = json!({"exercises": form.exercises.len()});
    let email = draft.send(&addressed, payload, detail).await?;
    Ok(ExercisePlanView {
        id: plan_id,
        patient_id,
        clinic_id: addressed.clinic_id,
        title: form.title,
        note: form.note,
        exercises: form.exercises,
        email,
        created_at,
    })
}
