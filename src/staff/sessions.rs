//! Signing in and out: `POST /v1/staff/sessions` and `DELETE /v1/staff/sessions/current`.

use crate::domain::client::ClientInfo;
use crate::domain::fields::FieldReader;
use crate::error::ApiError;
use crate::http::extract::JsonObject;
use crate::staff::accounts::{self, StaffView};
use crate::staff::auth::CurrentStaff;
use crate::staff::{password, throttle, token};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

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

fn wrong_credentials() -> ApiError {
    ApiError::Unauthorized("The email or password is not correct.".into())
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
    if email.len() > 254 || password_given.len() > 1024 {
        return Err(wrong_credentials());
    }
    // Counted before the (slow) password check, so concurrent guesses cannot outrun the count.
    let attempt = throttle::reserve(&state.db, &email, client.ip).await?;

    let account: Option<(Uuid, String)> =
        sqlx::query_as("SELECT id, password_hash FROM staff WHERE email = $1::citext AND active")
            .bind(&email)
            .fetch_optional(&state.db)
            .await?;
    let verified = tokio::task::spawn_blocking(move || match &account {
        Some((id, stored)) => password::verify(&password_given, stored).then_some(*id),
        None => {
            password::verify_against_dummy(&password_given);
            None
        }
    })
    .await
    .map_err(anyhow::Error::from)?;
    let Some(staff_id) = verified else {
        tracing::info!("staff sign-in refused");
        attempt.failed(&state.db).await?;
        return Err(wrong_credentials());
    };
    attempt.succeeded(&state.db).await?;

    let token = token::generate();
    let ttl =
        chrono::Duration::from_std(state.settings.session_ttl).map_err(anyhow::Error::from)?;
    let expires_at = Utc::now() + ttl;
    let mut tx = crate::db::begin(&state.db).await?;
    // Expired sessions of this account are dead weight; drop them while we are here.
    sqlx::query("DELETE FROM staff_sessions WHERE staff_id = $1 AND expires_at <= now()")
        .bind(staff_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO staff_sessions (token_hash, staff_id, expires_at, ip, user_agent) VALUES ($1, $2, $3, $4::inet, $5)",
    )
    .bind(token::hash(&token))
    .bind(staff_id)
    .bind(expires_at)
    .bind(client.ip.map(|ip| ip.to_string()))
    .bind(&client.user_agent)
    .execute(&mut *tx)
    .await?;
    let staff = accounts::fetch_view(&mut tx, staff_id).await?;
    tx.commit().await?;
    tracing::info!(staff_id = %staff_id, "staff signed in");
    Ok((
        StatusCode::CREATED,
        Json(SessionView {
            token,
            expires_at,
            staff,
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
    sqlx::query("DELETE FROM staff_sessions WHERE token_hash = $1")
        .bind(&staff.token_hash)
        .execute(&state.db)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
