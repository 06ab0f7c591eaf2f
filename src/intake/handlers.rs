//! `POST /v1/callback-requests`: the public form, translated from HTTP; `intake::service` holds
//! what a request causes and `public_form` the rules every public form follows.

use crate::domain::client::ClientInfo;
use crate::error::ApiError;
use crate::http::extract::JsonObject;
use crate::idempotency;
use crate::intake::form::{CallbackForm, CallbackRequestBody};
use crate::intake::service;
use crate::public_form::{self, Created, Submission};
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

const IDEMPOTENCY_SCOPE: &str = "POST /v1/callback-requests";

#[derive(Debug, Serialize, ToSchema)]
pub struct CallbackCreated {
    pub id: Uuid,
    /// Always `new`.
    pub status: String,
    pub created_at: DateTime<Utc>,
}

#[utoipa::path(post, path = "/v1/callback-requests", tag = "public",
    request_body = CallbackRequestBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for the same key and body")),
    responses(
        (status = 201, description = "Received; we will call back", body = CallbackCreated, headers(("location" = String))),
        (status = 415, description = "Not JSON", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, all listed", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_callback_request(
    State(state): State<AppState>,
    client: ClientInfo,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    let key = idempotency::key_from(&headers)?;
    let form = CallbackForm::parse(&body)?;
    let submission = Submission {
        scope: IDEMPOTENCY_SCOPE,
        key,
        body: &body,
    };
    let network_name = state.settings.network_name.as_deref();
    public_form::submit(&state.db, submission, async |tx| {
        let (id, created_at) = service::request_callback(tx, &form, &client, network_name).await?;
        let answer = CallbackCreated {
            id,
            status: "new".into(),
            created_at,
        };
        Ok(Created {
            body: serde_json::to_value(&answer).map_err(anyhow::Error::from)?,
            location: format!("/v1/staff/callback-requests/{id}"),
        })
    })
    .await
}
