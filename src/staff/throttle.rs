//! Sign-in throttling: at most `PAIR_MAX_FAILURES` failed sign-ins per (email, client network) and
//! `ACCOUNT_MAX_FAILURES` per email from all networks within `WINDOW_SECS`; past either, 429 until
//! enough failures have aged out. The pair limit stops one address guessing without locking the real
//! user out from their own address; the account cap slows a spray from many addresses. The per-client
//! rate limit comes on top. Unknown emails are counted the same way, so the answer never reveals
//! whether an account exists.
//!
//! Counting is atomic: an attempt reserves its place (a `pending` row) under a per-email advisory
//! lock *before* the slow password check, so twenty guesses sent at once see each other and at most
//! five get to test a password. A wrong password leaves the row as a failure; the right one deletes
//! the pair's failures. An attempt abandoned mid-check (the client went away) stays counted: the
//! safe side.

use crate::domain::client::client_network;
use crate::error::ApiError;
use crate::staff::throttle_store;
use ipnet::IpNet;
use sqlx::{PgConnection, PgPool};
use std::net::IpAddr;

pub const PAIR_MAX_FAILURES: i64 = 5;
pub const ACCOUNT_MAX_FAILURES: i64 = 50;
pub const WINDOW_SECS: i64 = 15 * 60;

/// An attempt that holds a counted place until it is settled.
#[must_use = "settle the attempt with `succeeded` or `failed`"]
pub struct Attempt {
    id: i64,
    email: String,
    network: Option<String>,
}

/// Reserves a place for one sign-in attempt by `email` from `ip`, or refuses it with 429 and the
/// seconds until a failure leaves the window.
pub async fn reserve(db: &PgPool, email: &str, ip: Option<IpAddr>) -> Result<Attempt, ApiError> {
    let network = ip.map(client_network).map(|net: IpNet| net.to_string());
    let mut tx = crate::db::begin(db).await?;
    // One account's attempts take turns here (for milliseconds: a count and an insert); other
    // accounts are not held up.
    throttle_store::lock_email(&mut tx, email).await?;
    let (pair, account) =
        throttle_store::counts(&mut tx, email, network.as_deref(), WINDOW_SECS as f64).await?;
    let mut wait = None;
    if pair >= PAIR_MAX_FAILURES {
        let secs = seconds_until_room(
            &mut tx,
            email,
            network.as_deref(),
            false,
            pair - PAIR_MAX_FAILURES,
        )
        .await?;
        wait = Some(secs);
        tracing::warn!(
            limit = "address",
            "staff sign-in throttled after repeated failures"
        );
    }
    if account >= ACCOUNT_MAX_FAILURES {
        let secs = seconds_until_room(
            &mut tx,
            email,
            network.as_deref(),
            true,
            account - ACCOUNT_MAX_FAILURES,
        )
        .await?;
        wait = Some(wait.map_or(secs, |other: u64| other.max(secs)));
        tracing::warn!(
            limit = "account",
            "staff sign-in throttled after repeated failures"
        );
    }
    if let Some(retry_after_secs) = wait {
        // A refused attempt tested no password, so it is not counted.
        tx.rollback().await?;
        return Err(ApiError::RateLimited { retry_after_secs });
    }
    let id = throttle_store::insert_pending(&mut tx, email, network.as_deref()).await?;
    tx.commit().await?;
    Ok(Attempt {
        id,
        email: email.to_owned(),
        network,
    })
}

/// Seconds until the failure at `offset` (oldest first) among the counted ones leaves the window,
/// after which the count is below its limit again: the pair's failures, or the `whole_account`'s.
async fn seconds_until_room(
    tx: &mut PgConnection,
    email: &str,
    network: Option<&str>,
    whole_account: bool,
    offset: i64,
) -> Result<u64, sqlx::Error> {
    let secs = throttle_store::seconds_until_leaving(
        tx,
        email,
        network,
        WINDOW_SECS as f64,
        whole_account,
        offset,
    )
    .await?;
    Ok(secs.map_or(1, |secs| secs.ceil().clamp(1.0, WINDOW_SECS as f64) as u64))
}

impl Attempt {
    /// The right password: this attempt and the pair's settled failures are forgotten. Other
    /// attempts from the pair still being checked keep their places.
    pub async fn succeeded(self, db: &PgPool) -> Result<(), sqlx::Error> {
        throttle_store::forget_settled(db, &self.email, self.network.as_deref(), self.id).await
    }

    /// A wrong password (or an unknown email): the reserved place stays, as a failure.
    pub async fn failed(self, db: &PgPool) -> Result<(), sqlx::Error> {
        throttle_store::settle_failed(db, self.id).await?;
        // Rows are kept a day (for whoever investigates an attack), then only cost space: trim a
        // batch while here.
        throttle_store::trim_old(db).await
    }
}
