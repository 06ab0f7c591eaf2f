//! `POST /v1/staff/patients/{id}/consents`: a grant or withdrawal the person asked for in person or
//! by phone, entered by a staff member at one of their clinics. It is a ledger row with source
//! `staff` and the staff member's id, audited; a withdrawal suppresses that clinic's queued emails
//! of the category at once.

use crate::consent::ledger::{self, ConsentEventView, Evidence, Visible};
use crate::domain::client::ClientInfo;
use crate::domain::consent::{ConsentCategory, ConsentSource, Sender};
use crate::domain::fields::FieldReader;
use crate::domain::{Invalid, text, wording};
use crate::error::ApiError;
use crate::http::extract::JsonObject;
use crate::intake::store as callbacks;
use crate::patients::store::find_visible;
use crate::staff::audit::{self, AuditEntry};
use crate::staff::auth::CurrentStaff;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::json;
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

struct ConsentChange {
    clinic_id: Uuid,
    category: ConsentCategory,
    granted: bool,
    note: Option<String>,
}

fn parse_category(raw: &str) -> Result<ConsentCategory, Invalid> {
    ConsentCategory::parse(raw.trim()).ok_or_else(|| {
        Invalid::new(
            "invalid_value",
            "must be appointment_reminders, exercise_plans, plans_of_care or service_updates",
        )
    })
}

fn parse(body: &serde_json::Map<String, serde_json::Value>) -> Result<ConsentChange, ApiError> {
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
    let (is_admin, clinic_ids) = staff.scope();
    let mut tx = crate::db::begin(&state.db).await?;
    find_visible(&mut tx, patient_id, is_admin, &clinic_ids)
        .await?
        .ok_or(ApiError::NotFound)?;
    let change = parse(&body)?;
    if !staff.can_see_clinic(Some(change.clinic_id)) {
        return Err(ApiError::Forbidden);
    }
    if !callbacks::clinic_exists(&mut tx, change.clinic_id).await? {
        return Err(ApiError::validation(
            "clinic_id",
            "unknown_clinic",
            "no clinic has this id",
        ));
    }
    let sender = Sender::Clinic(change.clinic_id);
    ledger::lock_patient(&mut tx, patient_id).await?;
    // The person's request is evidence even when it repeats the state in force, so it is always
    // recorded; a withdrawal also stops what that clinic has queued in the category.
    let ids = ledger::record(
        &mut tx,
        patient_id,
        sender,
        &[(change.category, change.granted)],
        &Evidence {
            source: ConsentSource::Staff,
            wording_version: wording::STAFF_RECORDED,
            client: &client,
            staff_id: Some(staff.id),
            note: change.note.as_deref(),
        },
    )
    .await?;
    if !change.granted {
        ledger::suppress_queued(&mut tx, patient_id, sender, &[change.category]).await?;
    }
    audit::record(
        &mut tx,
        AuditEntry {
            staff_id: staff.id,
            action: "consent.recorded",
            entity_type: "patient",
            entity_id: patient_id,
            clinic_id: Some(change.clinic_id),
            detail: json!({
                "category": change.category.as_str(),
                "granted": change.granted,
                "consent_event_id": ids.first(),
            }),
        },
    )
    .await?;
    let recorded = ledger::history(&mut tx, patient_id, Visible::Clinics(&[change.clinic_id]))
        .await?
        .into_iter()
        .find(|event| ids.contains(&event.id))
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a recorded consent row vanished")))?;
    tx.commit().await?;
    tracing::info!(patient_id = %patient_id, staff_id = %staff.id, "consent recorded by staff");
    let recorded = if is_admin {
        recorded
    } else {
        recorded.without_client_details()
    };
    Ok((StatusCode::CREATED, Json(recorded)))
}
