//! Extractors that answer their failures as problems: a JSON object body (400/413/415/422) and the
//! client's IP and user agent.

use crate::domain::Invalid;
use crate::domain::client::ClientInfo;
use crate::error::{ApiError, Message};
use crate::http::client_addr::client_ip;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use bytes::Bytes;
use serde_json::{Map, Value};

/// A request body that is a JSON object, read into a map so validation can see every field.
pub struct JsonObject(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !has_json_content_type(&request) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes =
            Bytes::from_request(request, state)
                .await
                .map_err(|rejection| match rejection {
                    BytesRejection::FailedToBufferBody(failure) if is_too_large(&failure) => {
                        ApiError::PayloadTooLarge
                    }
                    other => ApiError::BadRequest(
                        Message::new("problem-unreadable-body").arg("reason", other.body_text()),
                    ),
                })?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(object)) => Ok(JsonObject(object)),
            Ok(_) => Err(ApiError::validation(
                "body",
                Invalid::new("invalid_type", "field-invalid-type").arg("expected", "object"),
            )),
            Err(error) => Err(ApiError::BadRequest(
                Message::new("problem-malformed-json").arg("reason", error.to_string()),
            )),
        }
    }
}

fn is_too_large(failure: &axum::extract::rejection::FailedToBufferBody) -> bool {
    matches!(
        failure,
        axum::extract::rejection::FailedToBufferBody::LengthLimitError(_)
    )
}

fn has_json_content_type(request: &Request) -> bool {
    let Some(value) = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// User agents are stored for evidence, not parsed; a bound keeps hostile headers from bloating rows.
const MAX_USER_AGENT_CHARS: usize = 512;

impl<S: Send + Sync> FromRequestParts<S> for ClientInfo {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let ip = client_ip(&parts.extensions);
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .map(|agent| {
                agent
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(MAX_USER_AGENT_CHARS)
                    .collect()
            });
        Ok(ClientInfo { ip, user_agent })
    }
}
