//! Sign-in throttling per account: after `MAX_FAILURES` wrong passwords for one email within
//! `WINDOW`, further attempts for that email get 429 until the window has passed. The per-IP limit
//! stops one address guessing; this stops many addresses guessing one account. Unknown emails are
//! counted the same way, so the answer never reveals whether an account exists.

use crate::http::error::ApiError;
use crate::http::extract::ClientInfo;
use chrono::{DateTime, Utc};
use sqlx::PgPool;

pub const MAX_FAILURES: i64 = 5;
pub const WINDOW_SECS: i64 = 15 * 60;

/// 429 (with the seconds until the oldest counted failure leaves the window) when throttled.
pub async fn check(db: &PgPool, email: &str) -> Result<(), ApiError> {
    let (failures, oldest): (i64, Option<DateTime<Utc>>) = sqlx::query_as(
        "SELECT count(*), min(at) FROM staff_sign_in_failures
          WHERE email = $1::citext AND at > now() - make_interval(secs => $2)",
    )
    .bind(email)
    .bind(WINDOW_SECS as f64)
    .fetch_one(db)
    .await?;
    if failures < MAX_FAILURES {
        return Ok(());
    }
    let elapsed = oldest.map_or(0, |oldest| (Utc::now() - oldest).num_seconds());
    let retry_after_secs = u64::try_from(WINDOW_SECS - elapsed).unwrap_or(1).max(1);
    tracing::warn!("staff sign-in throttled after repeated failures");
    Err(ApiError::RateLimited { retry_after_secs })
}

pub async fn record_failure(
    db: &PgPool,
    email: &str,
    client: &ClientInfo,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO staff_sign_in_failures (email, ip) VALUES ($1::citext, $2::inet)")
        .bind(email)
        .bind(client.ip.map(|ip| ip.to_string()))
        .execute(db)
        .await?;
    // Old rows only cost space; trim them while here.
    sqlx::query("DELETE FROM staff_sign_in_failures WHERE at < now() - interval '1 day'")
        .execute(db)
        .await?;
    Ok(())
}

/// A successful sign-in clears the count.
pub async fn forget(db: &PgPool, email: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM staff_sign_in_failures WHERE email = $1::citext")
        .bind(email)
        .execute(db)
        .await?;
    Ok(())
}
