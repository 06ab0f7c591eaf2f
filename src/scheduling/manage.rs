//! The patient's "Need to change your appointment?" doors over JSON: `GET /v1/manage/{token}`,
//! `POST /v1/manage/{token}/cancel` and `POST /v1/manage/{token}/reschedule`. These handlers only
//! translate HTTP; `scheduling::patient_manage` holds the rules.

use crate::domain::fields::FieldReader;
use crate::domain::text;
use crate::error::ApiError;
use crate::http::extract::JsonObject;
use crate::scheduling::patient_manage::{self, ManagedBooking};
use crate::scheduling::schedule::parse_instant;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct ManageCancelBody {
    /// Why, in the patient's words (optional); the front desk sees it.
    #[schema(schema_with = crate::domain::schema::reason)]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct ManageRescheduleBody {
    /// One of the practitioner's free slots (`GET /v1/practitioners/{id}/slots`).
    #[schema(format = DateTime, example = "2026-12-02T10:00:00-05:00")]
    pub starts_at: String,
}

#[utoipa::path(get, path = "/v1/manage/{token}", tag = "public",
    params(("token" = String, Path, description = "The token of the link in the booking's emails")),
    responses(
        (status = 200, description = "The booking, whether it may still be changed online and until when; nothing else about the patient. Reads only: fetching it (GET or HEAD) changes nothing", body = ManagedBooking),
        (status = 404, description = "A bad, tampered, expired or revoked token", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_managed_booking(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<ManagedBooking>, ApiError> {
    Ok(Json(patient_manage::view(&state, &token).await?))
}

#[utoipa::path(post, path = "/v1/manage/{token}/cancel", tag = "public",
    params(("token" = String, Path, description = "The token of the link in the booking's emails")),
    request_body = ManageCancelBody,
    responses(
        (status = 200, description = "Cancelled: the slot is free, reminders are withdrawn, the patient gets a cancellation (with an invite of METHOD:CANCEL when it was confirmed)", body = ManagedBooking),
        (status = 404, description = "A bad, tampered, expired or revoked token", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "`change_closed`: past PATIENT_CHANGE_CUTOFF, or cancelled, completed, expired or no-show; the detail gives the clinic's phone number", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn cancel_managed_booking(
    State(state): State<AppState>,
    Path(token): Path<String>,
    JsonObject(body): JsonObject,
) -> Result<Json<ManagedBooking>, ApiError> {
    let mut reader = FieldReader::new(&body);
    let reason = reader.optional("reason", |raw| {
        text::bounded_text(raw, 0, text::MAX_REASON_CHARS, true)
    });
    reader.finish()?;
    crate::all_valid!(reason);
    Ok(Json(patient_manage::cancel(&state, &token, reason).await?))
}

#[utoipa::path(post, path = "/v1/manage/{token}/reschedule", tag = "public",
    params(("token" = String, Path, description = "The token of the link in the booking's emails")),
    request_body = ManageRescheduleBody,
    responses(
        (status = 200, description = "Moved to the new slot, status kept; reminders move; the patient gets an updated invite (same UID, higher SEQUENCE) when it was confirmed", body = ManagedBooking),
        (status = 404, description = "A bad, tampered, expired or revoked token", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "`slot_taken`: the new slot is taken (the booking keeps its time); `change_closed`: past PATIENT_CHANGE_CUTOFF, or cancelled, completed, expired or no-show, the detail giving the clinic's phone number", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not one of the practitioner's slots (the reason is given)", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn reschedule_managed_booking(
    State(state): State<AppState>,
    Path(token): Path<String>,
    JsonObject(body): JsonObject,
) -> Result<Json<ManagedBooking>, ApiError> {
    let mut reader = FieldReader::new(&body);
    let starts_at = reader.required("starts_at", parse_instant);
    reader.finish()?;
    crate::all_valid!(starts_at);
    Ok(Json(
        patient_manage::reschedule(&state, &token, starts_at).await?,
    ))
}
