//! `POST /v1/staff/patients/{id}/care-plans`: a plan of care (goals, visits per week, weeks), stored
//! and emailed under `plans_of_care`.

use super::send::{self, CARE_PLAN};
use super::store;
use super::{QueuedEmail, location, required_strings, whole_in};
use crate::domain::fields::FieldReader;
use crate::domain::{schema, text};
use crate::email::payloads::{CarePlan, EmailPayload};
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
use utoipa::ToSchema;
use utoipa::openapi::schema::{ArrayBuilder, Schema};
use uuid::Uuid;

const MAX_GOALS: usize = 20;
const MAX_TITLE_CHARS: usize = 200;
const MAX_SUMMARY_CHARS: usize = 4000;
const MAX_GOAL_CHARS: usize = 300;
const VISITS_PER_WEEK: (i64, i64) = (1, 14);
const WEEKS: (i64, i64) = (1, 104);

fn title_schema() -> Schema {
    schema::text(1, MAX_TITLE_CHARS, false).into()
}

fn summary_schema() -> Schema {
    schema::text(1, MAX_SUMMARY_CHARS, true).into()
}

fn goals_schema() -> Schema {
    ArrayBuilder::new()
        .items(schema::text(1, MAX_GOAL_CHARS, false))
        .min_items(Some(1))
        .max_items(Some(MAX_GOALS))
        .into()
}

fn visits_per_week_schema() -> Schema {
    schema::whole(VISITS_PER_WEEK.0, VISITS_PER_WEEK.1).into()
}

fn weeks_schema() -> Schema {
    schema::whole(WEEKS.0, WEEKS.1).into()
}

/// Body of `POST /v1/staff/patients/{id}/care-plans`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CarePlanBody {
    #[schema(schema_with = title_schema)]
    pub title: String,
    #[schema(schema_with = summary_schema)]
    pub summary: String,
    /// 1..=20 goals, each 1..=300 characters.
    #[schema(schema_with = goals_schema)]
    pub goals: Vec<String>,
    #[schema(schema_with = visits_per_week_schema)]
    pub visits_per_week: i32,
    #[schema(schema_with = weeks_schema)]
    pub weeks: i32,
    /// The clinic sending it (one of yours); default: the clinic of the patient's latest booking or
    /// callback that you can see.
    pub clinic_id: Option<Uuid>,
}

/// A stored plan of care and the email it queued.
#[derive(Debug, Serialize, ToSchema)]
pub struct CarePlanView {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub clinic_id: Option<Uuid>,
    pub title: String,
    pub summary: String,
    pub goals: Vec<String>,
    pub visits_per_week: i32,
    pub weeks: i32,
    pub email: QueuedEmail,
    pub created_at: DateTime<Utc>,
}

struct CarePlanForm {
    title: String,
    summary: String,
    goals: Vec<String>,
    visits_per_week: i32,
    weeks: i32,
    clinic_id: Option<Uuid>,
}

fn parse(body: &Map<String, Value>) -> Result<CarePlanForm, ApiError> {
    let mut reader = FieldReader::new(body);
    let title = reader.required("title", |raw| {
        text::bounded_text(raw, 1, MAX_TITLE_CHARS, false)
    });
    let summary = reader.required("summary", |raw| {
        text::bounded_text(raw, 1, MAX_SUMMARY_CHARS, true)
    });
    let goals = required_strings(&mut reader, "goals", MAX_GOALS, |raw| {
        text::bounded_text(raw, 1, MAX_GOAL_CHARS, false)
    });
    let visits_per_week = reader.required_i64(
        "visits_per_week",
        whole_in(VISITS_PER_WEEK.0, VISITS_PER_WEEK.1),
    );
    let weeks = reader.required_i64("weeks", whole_in(WEEKS.0, WEEKS.1));
    let clinic_id = reader.optional_uuid("clinic_id");
    reader.finish()?;
    Ok(crate::valid_form!(CarePlanForm {
        title,
        summary,
        goals,
        visits_per_week,
        weeks,
        clinic_id
    }))
}

#[utoipa::path(post, path = "/v1/staff/patients/{id}/care-plans", tag = "staff",
    params(("id" = Uuid, Path, description = "The patient")),
    request_body = CarePlanBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored, and its email queued", body = CarePlanView, headers(("location" = String))),
        (status = 403, description = "`clinic_id` is not one of your clinics", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such patient, or none of your clinics has them", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "`no_email`: the patient has no email address; `consent_missing`: no `plans_of_care` consent (nothing is stored or sent)", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_care_plan(
    State(state): State<AppState>,
    staff: CurrentStaff,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> Result<(StatusCode, HeaderMap, Json<CarePlanView>), ApiError> {
    let patient_id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound)?;
    let plan = send_care_plan(&state, &staff, patient_id, &body).await?;
    let headers = location(format!(
        "/v1/staff/patients/{patient_id}/care-plans/{}",
        plan.id
    ));
    Ok((StatusCode::CREATED, headers, Json(plan)))
}

/// The use case behind every door: a plan of care for the patient, stored and emailed in one
/// transaction (404, 422 or 409 leave nothing behind). The body is read after the patient is
/// found, so that someone else's patient is a 404 whatever the body says.
pub async fn send_care_plan(
    state: &AppState,
    staff: &CurrentStaff,
    patient_id: Uuid,
    body: &serde_json::Map<String, serde_json::Value>,
) -> Result<CarePlanView, ApiError> {
    let mut draft = send::open(state, staff, patient_id, &CARE_PLAN).await?;
    let form = parse(body)?;
    let addressed = draft.address(form.clinic_id).await?;
    let plan_id = addressed.plan_id;
    let created_at = store::insert_care_plan(
        draft.conn(),
        &addressed.keys(patient_id, staff.id),
        &form.title,
        &form.summary,
        &form.goals,
        form.visits_per_week,
        form.weeks,
    )
    .await?;
    let payload = EmailPayload::CarePlan(CarePlan {
        patient_name: draft.patient.name.clone(),
        title: form.title.clone(),
        summary: form.summary.clone(),
        goals: form.goals.clone(),
        visits_per_week: form.visits_per_week,
        weeks: form.weeks,
        staff_name: addressed.staff_name.clone(),
    });
    let detail = json!({
        "goals": form.goals.len(),
        "visits_per_week": form.visits_per_week,
        "weeks": form.weeks,
    });
    let email = draft.send(&addressed, payload, detail).await?;
    Ok(CarePlanView {
        id: plan_id,
        patient_id,
        clinic_id: addressed.clinic_id,
        title: form.title,
        summary: form.summary,
        goals: form.goals,
        visits_per_week: form.visits_per_week,
        weeks: form.weeks,
        email,
        created_at,
    })
}
