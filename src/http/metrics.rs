//! Prometheus metrics (`metrics` facade + `metrics-exporter-prometheus`): request counts and
//! latencies by route and status, emails sent and failed, and the outbox depth by status. With
//! `METRICS_TOKEN` set, `/metrics` answers only to `Authorization: Bearer <METRICS_TOKEN>`.

use crate::email::outbox_stats;
use crate::error::ApiError;
use crate::error::Message;
use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use std::time::Instant;

const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process-wide recorder, installed on first use (one per process, whatever number of apps).
pub fn handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&LATENCY_BUCKETS)
            .unwrap_or_else(|_| PrometheusBuilder::new())
            .build_recorder();
        let handle = recorder.handle();
        // Another recorder may already be installed (a library user's); ours then renders nothing new.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Counts each request and times it, labelled by route template (never the raw path, which would
/// let anyone create unbounded label values).
pub async fn record(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned());
    let response = next.run(request).await;
    let route = route.unwrap_or_else(|| "unmatched".to_owned());
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

#[utoipa::path(get, path = "/metrics", tag = "operations",
    security((), ("metrics_token" = [])),
    responses(
        (status = 200, description = "Prometheus text format", content_type = "text/plain", body = String),
        (status = 401, description = "`METRICS_TOKEN` is set and the request does not carry it as a bearer token", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn metrics_text(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(expected) = &state.settings.metrics_token {
        authorize(&headers, expected)?;
    }
    for (status, count) in outbox_stats::depth_by_status(&state.db).await? {
        metrics::gauge!("email_outbox_depth", "status" => status.as_str()).set(count as f64);
    }
    let body = handle().render();
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response())
}

/// `Ok` when the request carries `expected` as its bearer token. The SHA-256 digests are compared
/// in constant time: equal-length digests, every byte looked at, so the answer's timing says nothing
/// about how much of a guess was right.
fn authorize(headers: &HeaderMap, expected: &SecretString) -> Result<(), ApiError> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let matches = presented.is_some_and(|token| {
        let given = Sha256::digest(token.as_bytes());
        let wanted = Sha256::digest(expected.expose_secret().as_bytes());
        given
            .iter()
            .zip(wanted.iter())
            .fold(0u8, |difference, (a, b)| difference | (a ^ b))
            == 0
    });
    if matches {
        Ok(())
    } else {
        Err(ApiError::Unauthorized(Message::new(
            "problem-metrics-token",
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with_authorization(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn only_the_exact_token_as_a_bearer_token_is_accepted() {
        let expected = SecretString::from("metrics-token-0123456789");
        for accepted in [
            "Bearer metrics-token-0123456789",
            "bearer metrics-token-0123456789",
        ] {
            assert!(
                authorize(&with_authorization(accepted), &expected).is_ok(),
                "{accepted}"
            );
        }
        for refused in [
            "Bearer metrics-token-012345678",
            "Bearer metrics-token-01234567890",
            "Bearer METRICS-TOKEN-0123456789",
            "Basic metrics-token-0123456789",
            "metrics-token-0123456789",
            "Bearer ",
        ] {
            assert!(
                authorize(&with_authorization(refused), &expected).is_err(),
                "{refused}"
            );
        }
        assert!(authorize(&HeaderMap::new(), &expected).is_err());
    }
}
