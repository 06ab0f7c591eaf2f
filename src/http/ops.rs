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

/// What `/readyz` says: ready when the primary answers, with the read replica's state beside it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadinessView {
    /// `ok`.
    pub status: String,
    /// The primary (`DATABASE_URL`): `ok` (it does not answer: 503).
    pub database: String,
    pub read_replica: ReplicaState,
}

/// The read replica (`DATABASE_READ_URL`): while it is `unavailable`, reads go to the primary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReplicaState {
    Ok,
    Unavailable,
    NotConfigured,
}

#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "The primary database answers (the read replica, if any, may not: reads then go to the primary)", body = ReadinessView),
        (status = 503, description = "The primary database does not answer", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<ReadinessView>, ApiError> {
    let primary = tokio::time::timeout(READINESS_TIMEOUT, crate::db::health::ping(&state.db));
    let (primary, read_replica) = tokio::join!(primary, replica_state(&state));
    match primary {
        Ok(Ok(_)) => Ok(Json(ReadinessView {
            status: "ok".into(),
            database: "ok".into(),
            read_replica,
        })),
        Ok(Err(error)) => Err(ApiError::Unavailable(error.to_string())),
        Err(_) => Err(ApiError::Unavailable("database ping timed out".into())),
    }
}

async fn replica_state(state: &AppState) -> ReplicaState {
    let Some(replica) = state.reads.replica() else {
        return ReplicaState::NotConfigured;
    };
    match tokio::time::timeout(READINESS_TIMEOUT, crate::db::health::ping(replica)).await {
        Ok(Ok(())) => ReplicaState::Ok,
        Ok(Err(_)) | Err(_) => ReplicaState::Unavailable,
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
