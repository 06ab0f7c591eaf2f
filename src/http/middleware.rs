//! Cross-cutting HTTP behaviour that is not a tower-http layer already: every error response becomes
//! problem JSON, and each request gets a tracing span carrying its request id and route.

use crate::http::error::{PROBLEM_CONTENT_TYPE, status_response};
use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Span;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Errors produced outside our handlers (an unknown method, a timeout, a panic, a body limit hit by
/// a layer) arrive as plain text or empty bodies; rewrite them so clients only ever see problems.
/// HTML error pages (the unsubscribe links' "this link is not valid") are meant for people and kept.
pub async fn problem_for_bare_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || has_content_type(&response, PROBLEM_CONTENT_TYPE)
        || has_content_type(&response, HTML_CONTENT_TYPE)
    {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let problem = status_response(status);
    let (problem_parts, body) = problem.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in &problem_parts.headers {
        parts.headers.insert(name, value.clone());
    }
    Response::from_parts(parts, Body::new(body))
}

const HTML_CONTENT_TYPE: &str = "text/html";

fn has_content_type(response: &Response, essence: &str) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with(essence))
}

/// The span every log line of a request is recorded in: method, route template and request id.
pub fn request_span(request: &Request<Body>) -> Span {
    let request_id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str)
        .unwrap_or("unmatched");
    tracing::info_span!(
        "request",
        method = %request.method(),
        route,
        request_id,
        status = tracing::field::Empty,
    )
}
