//! What every handler can reach: the pool, the settings and the shared rate limiter.

use crate::config::Settings;
use crate::http::rate_limit::PublicRateLimiter;
use sqlx::PgPool;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    pub settings: Arc<Settings>,
    pub public_limiter: Arc<PublicRateLimiter>,
    pub public_read_limiter: Arc<PublicRateLimiter>,
}

impl AppState {
    pub fn new(db: PgPool, settings: Settings) -> Self {
        let public_limiter = Arc::new(PublicRateLimiter::new(settings.public_rate_limit));
        let public_read_limiter = Arc::new(PublicRateLimiter::new(settings.public_read_rate_limit));
        Self {
            db,
            settings: Arc::new(settings),
            public_limiter,
            public_read_limiter,
        }
    }
}
