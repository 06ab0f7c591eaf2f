//! Where the public reads run: on the streaming replica (`DATABASE_READ_URL`) when there is one,
//! else on the primary.
//!
//! Only reads whose staleness is harmless come here (search, slots, clinic and practitioner
//! pages): a slot that still looks free on a lagging replica is refused by the booking's own check
//! on the primary with a 409. When the replica cannot be reached, the read runs on the primary
//! instead, and the breaker keeps the next reads off the replica for a few seconds, so requests do
//! not each wait for a dead server.

use super::breaker::{Breaker, Permit};
use crate::error::ApiError;
use futures::future::BoxFuture;
use sqlx::{PgConnection, PgPool};
use std::sync::Arc;

#[derive(Clone)]
pub struct ReadPool {
    primary: PgPool,
    replica: Option<Arc<Replica>>,
}

struct Replica {
    pool: PgPool,
    breaker: Breaker,
}

impl ReadPool {
    pub fn new(primary: PgPool, replica: Option<PgPool>) -> Self {
        ReadPool {
            primary,
            replica: replica.map(|pool| {
                Arc::new(Replica {
                    pool,
                    breaker: Breaker::default(),
                })
            }),
        }
    }

    /// The replica's pool, when one is configured.
    pub fn replica(&self) -> Option<&PgPool> {
        self.replica.as_ref().map(|replica| &replica.pool)
    }

    /// Runs `read` on a replica connection, or on a primary one when there is no replica or it
    /// fails to connect or to answer (a read runs twice then; reads change nothing).
    ///
    /// What the read needs is passed as `context` rather than captured: the boxed future then
    /// borrows it for as long as the connection, which a closure's captures could not promise.
    pub async fn read<C, T>(
        &self,
        context: &C,
        read: impl for<'c> Fn(&'c mut PgConnection, &'c C) -> BoxFuture<'c, Result<T, ApiError>>,
    ) -> Result<T, ApiError>
    where
        C: Sync + ?Sized,
    {
        if let Some(replica) = &self.replica {
            let permit = replica.breaker.permit();
            if permit != Permit::Skip {
                let failure = match replica.pool.acquire().await {
                    Ok(mut conn) => match read(&mut conn, context).await {
                        Err(ApiError::Unavailable(reason)) => reason,
                        answer => {
                            replica.answered(permit);
                            return answer;
                        }
                    },
                    Err(error) => error.to_string(),
                };
                replica.failed(&failure);
            }
        }
        metrics::counter!("db_reads_total", "pool" => "primary").increment(1);
        let mut conn = self.primary.acquire().await?;
        read(&mut conn, context).await
    }
}

impl Replica {
    fn answered(&self, permit: Permit) {
        if permit == Permit::Probe {
            tracing::info!("the read replica answers again; reads go to it");
        }
        self.breaker.succeeded();
        metrics::counter!("db_reads_total", "pool" => "replica").increment(1);
    }

    /// Answers that are errors of the read itself (a 404, a 422) are answers; this is for the
    /// replica not answering (no connection, or the connection broke).
    fn failed(&self, failure: &str) {
        self.breaker.failed();
        metrics::counter!("read_replica_failures_total").increment(1);
        tracing::warn!(
            %failure,
            retry_after = ?super::breaker::RETRY_AFTER,
            "the read replica failed; reads go to the primary meanwhile"
        );
    }
}
