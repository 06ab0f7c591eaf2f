//! Operational endpoints: liveness, readiness and the OpenAPI document.

use crate::error::ApiError;
use crate::state::AppState;
use axum::Extension;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthView {
    /// `ok`.
    pub status: String,
}

/// Readiness answers within this, even when connecting to the database hangs.
const READINESS_TIMEOUT: Duration = Duration::from_secs(2);

#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The process is running", body = HealthView)))]
pub async fn healthz() -> Json<HealthView> {
    Json(HealthView {
        status: "ok".into(),
    })
}

#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "The database answers", body = HealthView),
        (status = 503, description = "The database does not answer", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<HealthView>, ApiError> {
    let ping = crate::db::health::ping(&state.db);
    match tokio::time::timeout(READINESS_TIMEOUT, ping).await {
        Ok(Ok(_)) => Ok(Json(HealthView {
            status: "ok".into(),
        })),
        Ok(Err(error)) => Err(ApiError::Unavailable(error.to_string())),
        Err(_) => Err(ApiError::Unavailable("database ping timed out".into())),
    }
}

#[utoipa::path(get, path = "/openapi.yaml", tag = "operations",
    responses((status = 200, description = "This document (a YAML mapping)", content_type = "application/yaml", body = Object)))]
pub async fn openapi_yaml(Extension(document): Extension<ApiDocument>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/yaml")],
        document.yaml.to_string(),
    )
}

/// The document served at `/openapi.yaml`, rendered once when the router is built.
#[derive(Debug, Clone)]
pub struct ApiDocument {
    yaml: Arc<str>,
}

impl ApiDocument {
    pub fn new(yaml: String) -> Self {
        Self { yaml: yaml.into() }
    }
}
