//! `POST /v1/callback-requests`: the public form. One transaction holds the patient, the consent rows,
//! the request, the confirmation email and the idempotency record, so a failure leaves nothing behind.

use crate::consent;
use crate::consent::forms::FormConsent;
use crate::email::outbox::{self, About, EmailKind, NewEmail};
use crate::error::{ApiError, FieldError};
use crate::domain::client::ClientInfo;
use crate::http::extract::JsonObject;
use crate::idempotency::{self, StoredResponse, respond};
use crate::intake::form::{CallbackForm, CallbackRequestBody, honeypot_tripped};
use crate::intake::store;
use crate::patients;
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
        (status = 400, description = "Malformed JSON", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 1 MiB", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, all listed", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limited", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_callback_request(
    State(state): State<AppState>,
    client: ClientInfo,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    if honeypot_tripped(&body) {
        tracing::info!(ip = ?client.ip, "honeypot field filled: answered as success, stored nothing");
        let fake = CallbackCreated {
            id: Uuid::now_v7(),
            status: "new".into(),
            created_at: Utc::now(),
        };
        return Ok(created(
            fake.id,
            serde_json::to_value(&fake).map_err(anyhow::Error::from)?,
            None,
        ));
    }
    let idempotency_key = idempotency::key_from(&headers)?;
    let form = CallbackForm::parse(&body)?;

    let mut tx = crate::db::begin(&state.db).await?;
    if let Some(key) = &idempotency_key
        && let Some(stored) = idempotency::claim(
            &mut tx,
            IDEMPOTENCY_SCOPE,
            key,
            &idempotency::fingerprint(&body),
        )
        .await?
    {
        tx.rollback().await?;
        return Ok(respond(stored));
    }
    if let Some(clinic_id) = form.clinic_id
        && !store::clinic_exists(&mut tx, clinic_id).await?
    {
        return Err(ApiError::Validation(vec![FieldError::new(
            "clinic_id",
            "unknown_clinic",
            "no clinic has this id",
        )]));
    }
    let patient_id = patients::store::match_or_create(
        &mut tx,
        &form.name,
        form.email.as_ref(),
        Some(&form.phone),
    )
    .await?;
    let (id, created_at) = store::insert(&mut tx, &form, patient_id, &client).await?;
    consent::forms::record(
        &mut tx,
        FormConsent {
            patient_id,
            clinic_id: form.clinic_id,
            flags: &form.consents,
            wording_version: form.wording_version,
            client: &client,
            email: form.email.as_ref().map(|email| email.as_str()),
            name: &form.name,
            about: About::CallbackRequest(id),
        },
        state.settings.network_name.as_deref(),
    )
    .await?;
    if let Some(email) = &form.email {
        outbox::enqueue(
            &mut tx,
            NewEmail {
                kind: EmailKind::CallbackReceived,
                patient_id,
                clinic_id: form.clinic_id,
                about: About::CallbackRequest(id),
                send_after: None,
                dedup_key: None,
                to: email.as_str(),
                payload: serde_json::json!({
                    "name": form.name,
                    "preferred_time": form.preferred_time,
                    "phone": form.phone.as_str(),
                }),
            },
        )
        .await?;
    }
    let answer = CallbackCreated {
        id,
        status: "new".into(),
        created_at,
    };
    let body = serde_json::to_value(&answer).map_err(anyhow::Error::from)?;
    let location = location_of(id);
    if let Some(key) = &idempotency_key {
        let stored = StoredResponse {
            status: 201,
            body: body.clone(),
            location: Some(location.clone()),
        };
        idempotency::complete(&mut tx, IDEMPOTENCY_SCOPE, key, &stored).await?;
    }
    tx.commit().await?;
    tracing::info!(callback_request_id = %id, "callback request received");
    Ok(created(id, body, Some(location)))
}

fn location_of(id: Uuid) -> String {
    format!("/v1/staff/callback-requests/{id}")
}

fn created(id: Uuid, body: serde_json::Value, location: Option<String>) -> Response {
    respond(StoredResponse {
        status: 201,
        body,
        location: Some(location.unwrap_or_else(|| location_of(id))),
    })
}
