//! The layers around the routes (`http::routes` lists them): limits, CORS, timeouts, request ids,
//! tracing, metrics and the problem answers for what no handler answered.

use crate::http::client_addr;
use crate::http::middleware::{REQUEST_ID_HEADER, problem_for_bare_errors, request_span};
use crate::http::rate_limit;
use crate::http::{error, language, metrics, openapi, ops, routes};
use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::{Extension, Router};
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub const MAX_BODY_BYTES: usize = 1024 * 1024;

pub fn build(state: AppState) -> Router {
    let (routes, document) = routes::all().split();
    let public_posts = routes
        .public_posts
        .route_layer(axum::middleware::from_fn_with_state(
            state.public_limiter.clone(),
            rate_limit::limit,
        ))
        .layer(cors(&state.settings.cors_origins));
    // Every public endpoint is rate-limited; searches get their own, larger bucket.
    let public_reads = routes
        .public_reads
        .route_layer(axum::middleware::from_fn_with_state(
            state.public_read_limiter.clone(),
            rate_limit::limit,
        ))
        .layer(cors(&state.settings.cors_origins));
    let operations = routes
        .operations
        .layer(Extension(ops::ApiDocument::new(openapi::finish(document))));

    metrics::handle();
    let request_id = HeaderName::from_static(REQUEST_ID_HEADER);
    Router::new()
        .merge(public_posts)
        .merge(public_reads)
        .merge(routes.staff)
        .merge(operations)
        // The front desk's console (HTML), outside the API document.
        .merge(crate::desk::router(&state))
        // The website's forms (/embed.js) and their demo page, outside the API document.
        .merge(crate::website::router(&state))
        .fallback(|| async { error::status_response(StatusCode::NOT_FOUND) })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            state.settings.request_timeout,
        ))
        .layer(axum::middleware::from_fn(problem_for_bare_errors))
        .layer(CatchPanicLayer::custom(|_| {
            error::status_response(StatusCode::INTERNAL_SERVER_ERROR)
        }))
        .layer(axum::middleware::from_fn(metrics::record))
        // A connection a request opens serves it at once rather than warming on its time.
        .layer(axum::middleware::from_fn(
            crate::db::warmup::during_requests,
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        // Tokens and passwords never reach logs through header dumps.
        .layer(SetSensitiveRequestHeadersLayer::new([
            header::AUTHORIZATION,
            header::COOKIE,
        ]))
        // Every answer inside, including the problems layers produce, speaks the asked language.
        .layer(axum::middleware::from_fn(language::negotiate))
        // Outermost: everything inside sees the client behind the trusted load balancers.
        .layer(axum::middleware::from_fn_with_state(
            std::sync::Arc::new(state.settings.trusted_proxies.clone()),
            client_addr::resolve_client_addr,
        ))
        .with_state(state)
}

/// CORS for the website origins that embed the public forms; none configured means none allowed.
fn cors(origins: &[String]) -> CorsLayer {
    let allowed: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([Method::POST, Method::GET, Method::OPTIONS])
        .allow_headers([
            header::CONTENT_TYPE,
            header::ACCEPT_LANGUAGE,
            HeaderName::from_static("idempotency-key"),
        ])
        // The forms read Retry-After to say when to try again after a 429.
        .expose_headers([
            header::LOCATION,
            header::RETRY_AFTER,
            header::CONTENT_LANGUAGE,
            HeaderName::from_static(REQUEST_ID_HEADER),
        ])
        .max_age(Duration::from_secs(3600))
}
