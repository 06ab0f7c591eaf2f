//! `GET /v1/staff/patients/{id}` over JSON; `patients::file` holds the rules of what a staff member
//! sees: contact details, consents (now and history), callbacks and emails.
//! A staff member reads a patient only when the patient has a callback (or booking) at one of their
//! clinics, and then only their clinics' part: the contact details as last given to one of them,
//! the consents in force there, and their clinics' ledger rows, bookings, callbacks and emails.
//! Nothing in the answer tells them the person dealt with another clinic. Admins see everything.

use crate::error::ApiError;
use crate::patients::file::{self, PatientView};
use crate::staff::auth::CurrentStaff;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use uuid::Uuid;

pub use crate::email::history::EmailView;

#[utoipa::path(get, path = "/v1/staff/patients/{id}", tag = "staff",
    params(("id" = Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The patient", body = PatientView),
        (status = 404, description = "No such patient, or none of your clinics has them", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_patient(
    State(state): State<AppState>,
    staff: CurrentStaff,
    Path(id): Path<String>,
) -> Result<Json<PatientView>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound)?;
    Ok(Json(file::view(&state, &staff, id).await?))
}
