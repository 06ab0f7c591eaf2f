//! One error type at the HTTP edge. Every error leaves as RFC 9457 problem JSON; internal details are
//! logged (with the request id from the surrounding span) and never sent to the client.

use crate::error::{ApiError, FieldError};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// Seconds a client should wait before retrying while the database is unreachable.
const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 2;

/// RFC 9457 problem details, as sent on the wire.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) | ApiError::BadQuery { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::RateLimited { .. } | ApiError::LimitReached { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn to_problem(&self) -> Problem {
        let status = self.status();
        let (code, detail, errors) = match self {
            ApiError::BadRequest(detail) => ("bad_request", detail.clone(), vec![]),
            ApiError::BadQuery { detail, errors } => {
                ("invalid_parameters", detail.clone(), errors.clone())
            }
            ApiError::Unauthorized(detail) => ("unauthorized", detail.clone(), vec![]),
            ApiError::Forbidden => (
                "forbidden",
                "Your role does not allow this action.".into(),
                vec![],
            ),
            ApiError::NotFound => ("not_found", "No such resource.".into(), vec![]),
            ApiError::Conflict { code, detail } => (*code, detail.clone(), vec![]),
            ApiError::PayloadTooLarge => (
                "payload_too_large",
                "The request body exceeds 1 MiB.".into(),
                vec![],
            ),
            ApiError::UnsupportedMediaType => (
                "unsupported_media_type",
                "Send the body as application/json.".into(),
                vec![],
            ),
            ApiError::Validation(errors) => (
                "validation_failed",
                format!("{} field(s) are invalid.", errors.len()),
                errors.clone(),
            ),
            ApiError::RateLimited { retry_after_secs } => (
                "rate_limited",
                format!("Too many requests; retry after {retry_after_secs} s."),
                vec![],
            ),
            ApiError::LimitReached { code, detail, .. } => (*code, detail.clone(), vec![]),
            ApiError::Unavailable(_) => (
                "service_unavailable",
                "The database is unavailable; retry shortly.".into(),
                vec![],
            ),
            ApiError::Internal(_) => (
                "internal_error",
                "An unexpected error occurred.".into(),
                vec![],
            ),
        };
        Problem {
            problem_type: problem_type_uri(code),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            errors,
        }
    }
}

/// Problem types are relative URIs naming a stable code (RFC 9457 allows URI references).
pub fn problem_type_uri(code: &str) -> String {
    format!("/problems/{code}")
}

/// Builds a problem response for a bare status (used for errors produced outside handlers).
pub fn problem_response(status: StatusCode, code: &str, detail: &str) -> Response {
    let problem = Problem {
        problem_type: problem_type_uri(code),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail: detail.to_owned(),
        errors: vec![],
    };
    problem_json(status, &problem)
}

fn problem_json(status: StatusCode, problem: &Problem) -> Response {
    let body = serde_json::to_vec(problem).unwrap_or_default();
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(PROBLEM_CONTENT_TYPE),
    );
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "internal error")
            }
            ApiError::Unavailable(error) => tracing::warn!(error = %error, "database unavailable"),
            _ => {}
        }
        let mut response = problem_json(self.status(), &self.to_problem());
        let retry_after = match &self {
            ApiError::RateLimited { retry_after_secs }
            | ApiError::LimitReached {
                retry_after_secs, ..
            } => Some(*retry_after_secs),
            ApiError::Unavailable(_) => Some(UNAVAILABLE_RETRY_AFTER_SECS),
            _ => None,
        };
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if let ApiError::Unauthorized(_) = &self {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

