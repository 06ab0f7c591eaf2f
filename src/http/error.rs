//! One error type at the HTTP edge. Every error leaves as RFC 9457 problem JSON, its title, detail and
//! field messages in the request's language (`http::language`; the codes never change); internal
//! details are logged (with the request id from the surrounding span) and never sent to the client.

use crate::error::{ApiError, FieldError, Message};
use crate::http::language;
use crate::i18n::{self, Locale};
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
    pub errors: Vec<InvalidField>,
}

/// One invalid field as sent: which one, a stable machine code, and a sentence for people.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FieldError)]
pub struct InvalidField {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// A message in `locale`. The completeness test proves every id the code names exists in both
/// languages; should one still be missing, the answer falls back to English, then to the id, rather
/// than failing the request that is already failing.
pub fn words(locale: Locale, message: &Message) -> String {
    i18n::render(locale, message)
        .or_else(|error| {
            tracing::error!(%error, "a problem message is missing from the catalogue");
            i18n::render(Locale::En, message)
        })
        .unwrap_or_else(|_| message.id.to_owned())
}

fn invalid_fields(locale: Locale, errors: &[FieldError]) -> Vec<InvalidField> {
    errors
        .iter()
        .map(|error| InvalidField {
            field: error.field.clone(),
            code: error.code.clone(),
            message: words(locale, &error.message),
        })
        .collect()
}

/// The title of a status: its reason phrase, in `locale`.
fn title(locale: Locale, status: StatusCode) -> String {
    let id = match status.as_u16() {
        400 => "status-400",
        401 => "status-401",
        403 => "status-403",
        404 => "status-404",
        405 => "status-405",
        408 => "status-408",
        409 => "status-409",
        413 => "status-413",
        415 => "status-415",
        422 => "status-422",
        429 => "status-429",
        500 => "status-500",
        503 => "status-503",
        _ => "status-other",
    };
    words(locale, &Message::new(id))
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

    fn to_problem(&self, locale: Locale) -> Problem {
        let status = self.status();
        let (code, detail, errors) = match self {
            ApiError::BadRequest(detail) => ("bad_request", detail.clone(), vec![]),
            ApiError::BadQuery { detail, errors } => {
                ("invalid_parameters", detail.clone(), errors.clone())
            }
            ApiError::Unauthorized(detail) => ("unauthorized", detail.clone(), vec![]),
            ApiError::Forbidden | ApiError::NotFound => bare(status),
            ApiError::Conflict { code, detail } => (*code, detail.clone(), vec![]),
            ApiError::PayloadTooLarge | ApiError::UnsupportedMediaType => bare(status),
            ApiError::Validation(errors) => (
                "validation_failed",
                Message::new("problem-validation-failed").arg("count", errors.len()),
                errors.clone(),
            ),
            ApiError::RateLimited { retry_after_secs } => (
                "rate_limited",
                Message::new("problem-rate-limited").arg("seconds", *retry_after_secs),
                vec![],
            ),
            ApiError::LimitReached { code, detail, .. } => (*code, detail.clone(), vec![]),
            ApiError::Unavailable(_) => (
                "service_unavailable",
                Message::new("problem-service-unavailable"),
                vec![],
            ),
            ApiError::Internal(_) => bare(status),
        };
        Problem {
            problem_type: problem_type_uri(code),
            title: title(locale, status),
            status: status.as_u16(),
            detail: words(locale, &detail),
            errors: invalid_fields(locale, &errors),
        }
    }
}

/// The code and sentence of a problem that is nothing but its status: one table for the errors
/// handlers return and those that layers produce (an unknown path or method, a timeout, a body
/// limit, a panic), so the same status always reads the same.
pub fn status_problem(status: StatusCode) -> (&'static str, Message) {
    let (code, id) = match status {
        StatusCode::FORBIDDEN => ("forbidden", "problem-forbidden"),
        StatusCode::NOT_FOUND => ("not_found", "problem-not-found"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "problem-method-not-allowed"),
        StatusCode::REQUEST_TIMEOUT => ("timeout", "problem-timeout"),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "problem-payload-too-large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ("unsupported_media_type", "problem-unsupported-media-type")
        }
        StatusCode::INTERNAL_SERVER_ERROR => ("internal_error", "problem-internal-error"),
        _ if status.is_client_error() => ("bad_request", "problem-bad-request"),
        _ => ("server_error", "problem-server-error"),
    };
    (code, Message::new(id))
}

fn bare(status: StatusCode) -> (&'static str, Message, Vec<FieldError>) {
    let (code, detail) = status_problem(status);
    (code, detail, vec![])
}

/// The problem answer for a bare status, from [`status_problem`].
pub fn status_response(status: StatusCode) -> Response {
    let (code, detail) = status_problem(status);
    problem_response(status, code, &detail)
}

/// Problem types are relative URIs naming a stable code (RFC 9457 allows URI references).
pub fn problem_type_uri(code: &str) -> String {
    format!("/problems/{code}")
}

/// Builds a problem response for a bare status (used for errors produced outside handlers).
pub fn problem_response(status: StatusCode, code: &str, detail: &Message) -> Response {
    let locale = language::current();
    let problem = Problem {
        problem_type: problem_type_uri(code),
        title: title(locale, status),
        status: status.as_u16(),
        detail: words(locale, detail),
        errors: vec![],
    };
    problem_json(status, locale, &problem)
}

fn problem_json(status: StatusCode, locale: Locale, problem: &Problem) -> Response {
    let body = serde_json::to_vec(problem).unwrap_or_default();
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(PROBLEM_CONTENT_TYPE),
    );
    headers.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(locale.as_str()),
    );
    // The words depend on the request's Accept-Language: caches must not mix the languages.
    headers.append(header::VARY, HeaderValue::from_static("accept-language"));
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
        let locale = language::current();
        let mut response = problem_json(self.status(), locale, &self.to_problem(locale));
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
