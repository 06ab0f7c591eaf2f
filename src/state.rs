//! What every handler can reach: the pools, the settings and the shared rate limiter.

use crate::config::Settings;
use crate::db::ReadPool;
use crate::http::rate_limit::PublicRateLimiter;
use sqlx::PgPool;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    /// The primary: every write, and every read that decides one.
    pub db: PgPool,
    /// The public reads that may lag (search, slots, clinic pages): the replica when configured.
    pub reads: ReadPool,
    pub settings: Arc<Settings>,
    pub public_limiter: Arc<PublicRateLimiter>,
    pub public_read_limiter: Arc<PublicRateLimiter>,
}

impl AppState {
    /// State over the primary `db` alone: reads that may lag run on it too.
    pub fn new(db: PgPool, settings: Settings) -> Self {
        let reads = ReadPool::new(db.clone(), None);
        Self::with_reads(db, reads, settings)
    }

    /// This state with its reads (and any write, which a replica refuses) on `pool`: for pages
    /// that only read, when `pool` is the replica ([`crate::desk::reads`]).
    pub fn reading_from(&self, pool: sqlx::PgPool) -> Self {
        Self {
            db: pool,
            ..self.clone()
        }
    }

    pub fn with_reads(db: PgPool, reads: ReadPool, settings: Settings) -> Self {
        let public_limiter = Arc::new(PublicRateLimiter::new(settings.public_rate_limit));
        let public_read_limiter = Arc::new(PublicRateLimiter::new(settings.public_read_rate_limit));
        Self {
            db,
            reads,
            settings: Arc::new(settings),
            public_limiter,
            public_read_limiter,
        }
    }
}
