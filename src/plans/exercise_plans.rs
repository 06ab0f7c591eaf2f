//! `POST /v1/staff/patients/{id}/exercise-plans`: an exercise plan from library items or custom ones,
//! stored with every exercise resolved (name, steps, dose) and emailed under `exercise_plans`.

use super::exercises::{self, Exercise};
use super::{
    QueuedEmail, location, optional_whole, plan_clinic, queue_plan_email,
    require_email_and_consent, required_strings, staff_name,
};
use crate::domain::Invalid;
use crate::domain::consent::{ConsentCategory, Sender};
use crate::domain::fields::FieldReader;
use crate::domain::{schema, text};
use crate::email::outbox::{About, EmailKind, NewEmail};
use crate::error::ApiError;
use crate::http::extract::JsonObject;
use crate::patients::handlers::find_visible;
use crate::staff::audit::{self, AuditEntry};
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
const WHAT: &str = "exercise plan";

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
                Invalid::new("too_few", "must hold at least one exercise"),
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
    crate::all_valid!(title, exercises, note, clinic_id);
    Ok(PlanForm {
        title,
        exercises,
        note,
        clinic_id,
    })
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
                Invalid::new(
                    "ambiguous",
                    "give either exercise_id or name and instructions, not both",
                ),
            );
        }
        item.required_uuid("exercise_id")
            .and_then(|id| match library.iter().find(|known| known.id == id) {
                Some(known) => Some(known),
                None => {
                    item.error(
                        "exercise_id",
                        Invalid::new("unknown_exercise", "no exercise of the library has this id"),
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
        (status = 401, description = "No or bad staff token", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`clinic_id` is not one of your clinics", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such patient, or none of your clinics has them", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "`no_email`: the patient has no email address; `consent_missing`: no `exercise_plans` consent (nothing is stored or sent)", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_exercise_plan(
    State(state): State<AppState>,
    staff: CurrentStaff,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> Result<(StatusCode, HeaderMap, Json<ExercisePlanView>), ApiError> {
    let patient_id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound)?;
    let (is_admin, clinic_ids) = staff.scope();
    let mut tx = crate::db::begin(&state.db).await?;
    let patient = find_visible(&mut tx, patient_id, is_admin, &clinic_ids)
        .await?
        .ok_or(ApiError::NotFound)?;
    let library = exercises::library(&mut tx).await?;
    let form = parse(&body, &library)?;
    let clinic_id = plan_clinic(&mut tx, &staff, patient_id, form.clinic_id).await?;
    let to = require_email_and_consent(
        &mut tx,
        &patient,
        Sender::of(clinic_id),
        ConsentCategory::ExercisePlans,
        WHAT,
    )
    .await?;
    let staff_name = staff_name(&mut tx, staff.id).await?;

    let plan_id = Uuid::now_v7();
    let exercises_json = serde_json::to_value(&form.exercises)
        .map_err(|error| ApiError::Internal(anyhow::Error::new(error)))?;
    let created_at: DateTime<Utc> = sqlx::query_scalar(
        "INSERT INTO exercise_plans (id, patient_id, clinic_id, staff_id, title, note, exercises)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING created_at",
    )
    .bind(plan_id)
    .bind(patient_id)
    .bind(clinic_id)
    .bind(staff.id)
    .bind(&form.title)
    .bind(&form.note)
    .bind(&exercises_json)
    .fetch_one(&mut *tx)
    .await?;
    let email = queue_plan_email(
        &mut tx,
        NewEmail {
            kind: EmailKind::ExercisePlan,
            patient_id,
            clinic_id,
            about: About::ExercisePlan(plan_id),
            to: &to,
            send_after: None,
            dedup_key: Some(format!("exercise_plan:{plan_id}")),
            payload: json!({
                "patient_name": patient.name,
                "title": form.title,
                "note": form.note,
                "exercises": exercises_json,
                "staff_name": staff_name,
            }),
        },
        ConsentCategory::ExercisePlans,
        WHAT,
    )
    .await?;
    audit::record(
        &mut tx,
        AuditEntry {
            staff_id: staff.id,
            action: "exercise_plan.create",
            entity_type: "exercise_plan",
            entity_id: plan_id,
            clinic_id,
            detail: json!({
                "patient_id": patient_id,
                "exercises": form.exercises.len(),
                "email_id": email.id,
            }),
        },
    )
    .await?;
    tx.commit().await?;

    let headers = location(format!(
        "/v1/staff/patients/{patient_id}/exercise-plans/{plan_id}"
    ));
    Ok((
        StatusCode::CREATED,
        headers,
        Json(ExercisePlanView {
            id: plan_id,
            patient_id,
            clinic_id,
            title: form.title,
            note: form.note,
            exercises: form.exercises,
            email,
            created_at,
        }),
    ))
}
