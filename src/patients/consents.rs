//! `POST /v1/staff/patients/{id}/consents`: a grant or withdrawal the person asked for in person or
//! by phone, entered by a staff member at one of their clinics. It is a ledger row with source
//! `staff` and the staff member's id, audited; a withdrawal suppresses that clinic's queued emails
//! of the category at once.

use crate::consent::ledger::ConsentEventView;
use crate::domain::client::ClientInfo;
use crate::domain::consent::ConsentCategory;
use crate::domain::fields::FieldReader;
use crate::domain::{Invalid, text};
use crate::error::ApiError;
use crate::http::extract::JsonObject;
use crate::patients::consent_request::{self, ConsentChange};
use crate::staff::auth::CurrentStaff;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::text::MAX_REASON_CHARS as MAX_NOTE_CHARS;

/// Body of `POST /v1/staff/patients/{id}/consents`.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct ConsentChangeBody {
    /// One of your clinics: the sender the consent is given to or withdrawn from.
    pub clinic_id: Uuid,
    pub category: ConsentCategory,
    pub granted: bool,
    /// How the person asked ("by phone, 2 Dec"), kept with the row.
    #[schema(schema_with = crate::domain::schema::reason)]
    pub note: Option<String>,
}

fn parse_category(raw: &str) -> Result<ConsentCategory, Invalid> {
    ConsentCategory::parse(raw.trim()).ok_or_else(|| {
        Invalid::new("invalid_value", "field-one-of").arg(
            "allowed",
            "appointment_reminders, exercise_plans, plans_of_care, service_updates",
        )
    })
}

/// Reads a consent change (also the console's form, turned into the same fields).
pub fn parse_change(
    body: &serde_json::Map<String, serde_json::Value>,
) -> Result<ConsentChange, ApiError> {
    let mut reader = FieldReader::new(body);
    let clinic_id = reader.required_uuid("clinic_id");
    let category = reader.required("category", parse_category);
    let granted = reader.required_bool("granted");
    let note = reader.optional("note", |raw| {
        text::bounded_text(raw, 0, MAX_NOTE_CHARS, true)
    });
    reader.finish()?;
    crate::all_valid!(clinic_id, category, granted, note);
    Ok(ConsentChange {
        clinic_id,
        category,
        granted,
        note: note.filter(|note| !note.is_empty()),
    })
}

#[utoipa::path(post, path = "/v1/staff/patients/{id}/consents", tag = "staff",
    params(("id" = Uuid, Path)),
    request_body = ConsentChangeBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Recorded: the new ledger row", body = ConsentEventView),
        (status = 403, description = "`clinic_id` is not one of your clinics", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such patient, or none of your clinics has them", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn record_consent(
    State(state): State<AppState>,
    staff: CurrentStaff,
    client: ClientInfo,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> Result<(StatusCode, Json<ConsentEventView>), ApiError> {
    let patient_id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound)?;
    let change = parse_change(&body)?;
    let recorded = consent_request::record(&state, &staff, &client, patient_id, &change).await?;
    Ok((StatusCode::CREATED, Json(recorded)))
}
