//! Every route in one place, and the layers around them.

use crate::http::client_addr;
use crate::http::middleware::{REQUEST_ID_HEADER, problem_for_bare_errors, request_span};
use crate::http::rate_limit::{limit_public, limit_public_reads};
use crate::http::{error, metrics, ops};
use crate::state::AppState;
use crate::{consent, directory, intake, patients, scheduling, staff};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
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
    let public_posts = Router::new()
        .route(
            "/v1/callback-requests",
            post(intake::handlers::create_callback_request),
        )
        .route("/v1/staff/sessions", post(staff::sessions::sign_in))
        .route(
            "/v1/bookings",
            post(scheduling::public_booking::create_booking),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            state.public_limiter.clone(),
            limit_public,
        ))
        .layer(cors(&state.settings.cors_origins));

    // Every public endpoint is rate-limited; searches get their own, larger bucket.
    let public_reads = Router::new()
        .route(
            "/v1/practitioners",
            get(directory::public::search_practitioners),
        )
        .route(
            "/v1/practitioners/{id}",
            get(directory::public::get_practitioner),
        )
        .route("/v1/clinics", get(directory::public::search_clinics))
        // One-click unsubscribes arrive from mail providers' servers, many people behind one IP:
        // they share the larger bucket so a busy provider is not refused.
        .route(
            "/unsubscribe/{token}",
            get(consent::unsubscribe::show).post(consent::unsubscribe::apply),
        )
        .route(
            "/consent/confirm/{token}",
            get(consent::confirmation::show).post(consent::confirmation::confirm),
        )
        .route(
            "/v1/consent-wording",
            get(consent::wording::consent_wording),
        )
        .route(
            "/v1/practitioners/{id}/slots",
            get(scheduling::availability::practitioner_slots),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            state.public_read_limiter.clone(),
            limit_public_reads,
        ))
        .layer(cors(&state.settings.cors_origins));

    let staff_routes = Router::new()
        .route(
            "/v1/staff/sessions/current",
            delete(staff::sessions::sign_out),
        )
        .route(
            "/v1/staff/callback-requests",
            get(intake::queue::list_callback_requests),
        )
        .route(
            "/v1/staff/callback-requests/{id}",
            get(intake::queue::get_callback_request).patch(intake::queue::update_callback_request),
        )
        .route(
            "/v1/staff/patients/{id}",
            get(patients::handlers::get_patient),
        )
        .route(
            "/v1/staff/patients/{id}/consents",
            post(patients::consents::record_consent),
        )
        .route(
            "/v1/staff/exercises",
            get(crate::plans::exercises::list_exercises),
        )
        .route(
            "/v1/staff/patients/{id}/exercise-plans",
            post(crate::plans::exercise_plans::create_exercise_plan),
        )
        .route(
            "/v1/staff/patients/{id}/care-plans",
            post(crate::plans::care_plans::create_care_plan),
        )
        .route("/v1/staff/emails", get(crate::plans::emails::list_emails))
        .route(
            "/v1/admin/clinics",
            post(directory::clinics::create_clinic).get(directory::clinics::list_clinics),
        )
        .route(
            "/v1/admin/clinics/{id}",
            get(directory::clinics::get_clinic).patch(directory::clinics::update_clinic),
        )
        .route(
            "/v1/admin/staff",
            post(staff::accounts::create_staff).get(staff::accounts::list_staff),
        )
        .route("/v1/admin/staff/{id}", get(staff::accounts::get_staff))
        .route(
            "/v1/admin/practitioners/{id}/schedule",
            get(scheduling::hours::get_schedule).put(scheduling::hours::put_schedule),
        )
        .route(
            "/v1/admin/practitioners/{id}/time-off",
            post(scheduling::hours::add_time_off),
        )
        .route(
            "/v1/staff/bookings",
            get(scheduling::front_desk::list_bookings),
        )
        .route(
            "/v1/staff/bookings/{id}",
            get(scheduling::front_desk::get_booking),
        )
        .route(
            "/v1/staff/bookings/{id}/confirm",
            post(scheduling::front_desk::confirm_booking),
        )
        .route(
            "/v1/staff/bookings/{id}/cancel",
            post(scheduling::front_desk::cancel_booking),
        )
        .route(
            "/v1/staff/bookings/{id}/reschedule",
            post(scheduling::front_desk::reschedule_booking),
        )
        .route(
            "/v1/staff/bookings/{id}/complete",
            post(scheduling::front_desk::complete_booking),
        )
        .route(
            "/v1/staff/bookings/{id}/no-show",
            post(scheduling::front_desk::no_show_booking),
        )
        .route(
            "/v1/admin/practitioners",
            post(directory::practitioners::create_practitioner)
                .get(directory::practitioners::list_practitioners),
        )
        .route(
            "/v1/admin/practitioners/{id}",
            get(directory::practitioners::get_practitioner)
                .patch(directory::practitioners::update_practitioner),
        );

    let operations = Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/openapi.yaml", get(ops::openapi_yaml))
        .route("/metrics", get(metrics::metrics_text));

    metrics::handle();
    let request_id = HeaderName::from_static(REQUEST_ID_HEADER);
    Router::new()
        .merge(public_posts)
        .merge(public_reads)
        .merge(staff_routes)
        .merge(operations)
        .fallback(|| async {
            error::problem_response(StatusCode::NOT_FOUND, "not_found", "No such resource.")
        })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            state.settings.request_timeout,
        ))
        .layer(axum::middleware::from_fn(problem_for_bare_errors))
        .layer(CatchPanicLayer::custom(|_| {
            error::problem_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "An unexpected error occurred.",
            )
            .into_response()
        }))
        .layer(axum::middleware::from_fn(metrics::record))
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
            HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([header::LOCATION, HeaderName::from_static(REQUEST_ID_HEADER)])
        .max_age(Duration::from_secs(3600))
}
