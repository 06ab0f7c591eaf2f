//! Signing in and out over JSON: `POST /v1/staff/sessions` and `DELETE /v1/staff/sessions/current`;
//! `staff::signing` holds the rules.

use crate::domain::client::ClientInfo;
use crate::domain::fields::FieldReader;
use crate::error::ApiError;
use crate::http::extract::JsonObject;
use crate::staff::account_store::StaffView;
use crate::staff::auth::CurrentStaff;
use crate::staff::signing;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginBody {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    /// Send as `Authorization: Bearer <token>`. Shown once; only its hash is stored.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub staff: StaffView,
}

#[utoipa::path(post, path = "/v1/staff/sessions", tag = "staff",
    request_body = LoginBody,
    responses(
        (status = 201, description = "Signed in", body = SessionView),
        (status = 401, description = "Wrong email or password (the same answer for both)", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing fields", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limited, or too many failed sign-ins for this email from this address (5 in 15 min) or from all addresses (50 in 15 min); `Retry-After` says when to try again", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn sign_in(
    State(state): State<AppState>,
    client: ClientInfo,
    JsonObject(body): JsonObject,
) -> Result<(StatusCode, Json<SessionView>), ApiError> {
    let mut reader = FieldReader::new(&body);
    let email = reader.required("email", |raw| Ok(raw.trim().to_owned()));
    let password_given = reader.required("password", |raw| Ok(raw.to_owned()));
    reader.finish()?;
    crate::all_valid!(email, password_given);
    let session = signing::sign_in(&state, &email, password_given, &client).await?;
    Ok((
        StatusCode::CREATED,
        Json(SessionView {
            token: session.token,
            expires_at: session.expires_at,
            staff: session.staff,
        }),
    ))
}

#[utoipa::path(delete, path = "/v1/staff/sessions/current", tag = "staff",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out; the token no longer works"),
    ))]
pub async fn sign_out(
    State(state): State<AppState>,
    staff: CurrentStaff,
) -> Result<StatusCode, ApiError> {
    signing::sign_out(&state, &staff.token_hash).await?;
    Ok(StatusCode::NO_CONTENT)
}
