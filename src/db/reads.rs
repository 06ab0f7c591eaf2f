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

    /// The primary's WAL position now, when there is a replica to compare it with: taken after a
    /// write has committed, it is what a replica must have replayed to show that write.
    pub async fn position_after_writes(&self) -> Option<String> {
        self.replica.as_ref()?;
        let mut conn = self.primary.acquire().await.ok()?;
        sqlx::query_scalar!(r#"SELECT pg_current_wal_insert_lsn()::text AS "lsn!""#)
            .fetch_one(&mut *conn)
            .await
            .ok()
    }

    /// The pool a console page reads through: the replica when it answers and has replayed
    /// `seen`, the WAL position after this staff member's last write (so the page a form's 303
    /// leads to shows what the form did), else the primary.
    ///
    /// Unlike [`ReadPool::read`] the page then reads on its own (it runs the same service
    /// functions as the JSON API, which take the pool); the question asked here is what tells the
    /// breaker whether the replica answers, so a replica that has died costs at most the page that
    /// was already on its way to it.
    pub async fn for_page(&self, seen: Option<&str>) -> PgPool {
        if let Some(replica) = &self.replica {
            let permit = replica.breaker.permit();
            if permit != Permit::Skip {
                match replica.has_replayed(seen).await {
                    Ok(true) => {
                        replica.answered(permit);
                        return replica.pool.clone();
                    }
                    Ok(false) => {
                        replica.breaker.succeeded();
                        metrics::counter!("read_replica_behind_total").increment(1);
                    }
                    Err(error) => replica.failed(&error.to_string()),
                }
            }
        }
        metrics::counter!("db_reads_total", "pool" => "primary").increment(1);
        self.primary.clone()
    }
}

impl Replica {
    /// Whether the replica has replayed the WAL up to `seen` (anything, without one). A server
    /// that is not in recovery has no replay position: it is a primary, and current.
    async fn has_replayed(&self, seen: Option<&str>) -> Result<bool, sqlx::Error> {
        let seen = seen.filter(|lsn| is_lsn(lsn)).unwrap_or("0/0");
        let mut conn = self.pool.acquire().await?;
        let replayed = sqlx::query_scalar!(
            r#"SELECT coalesce(pg_last_wal_replay_lsn() >= $1::text::pg_lsn, true) AS "replayed!""#,
            seen
        )
        .fetch_one(&mut *conn)
        .await?;
        Ok(replayed)
    }

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

/// Whether `text` is a WAL position as Postgres writes one (`16/B374D848`): anything else from a
/// cookie is ignored rather than sent to the server to fail.
pub fn is_lsn(text: &str) -> bool {
    text.split_once('/').is_some_and(|(high, low)| {
        [high, low].iter().all(|part| {
            (1..=8).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_hexdigit())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::is_lsn;

    #[test]
    fn only_wal_positions_are_taken_from_a_cookie() {
        for lsn in ["0/0", "16/B374D848", "FFFFFFFF/FFFFFFFF", "a/b"] {
            assert!(is_lsn(lsn), "{lsn}");
        }
        for text in [
            "",
            "/",
            "0/",
            "/0",
            "16",
            "1/2/3",
            "G/0",
            "0/123456789",
            "0/0; x",
            " 0/0",
        ] {
            assert!(!is_lsn(text), "{text}");
        }
    }
}
