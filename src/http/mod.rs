//! Cross-cutting HTTP: the router, errors, extractors, middleware, the OpenAPI document and health.

pub mod client_addr;
pub mod error;
pub mod extract;
pub mod language;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod ops;
pub mod query;
pub mod rate_limit;
pub mod router;
pub mod routes;
pub mod timestamp;
