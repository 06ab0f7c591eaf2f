//! The connection pool and the embedded migrations.

use crate::config::Settings;
use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgPool};
use std::str::FromStr;
use std::time::Duration;

mod breaker;
pub mod health;
pub mod reads;
mod transactions;
pub mod warmup;

pub use reads::ReadPool;
pub use transactions::{begin, cancelled_begin_recently, outside_transaction};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Connection options for `url`, with the session settings every connection must have.
pub fn connect_options(url: &str) -> anyhow::Result<PgConnectOptions> {
    connect_options_of(url, "DATABASE_URL")
}

/// [`connect_options`] for the URL read from `variable`, which a refusal names.
fn connect_options_of(url: &str, variable: &str) -> anyhow::Result<PgConnectOptions> {
    let options = PgConnectOptions::from_str(url)
        .with_context(|| format!("{variable} is not a valid postgres:// URL"))?;
    // JIT compiles PostGIS-heavy plans for ~200 ms each because of their inflated cost estimates;
    // our queries are short, so never pay that, whatever the server's default.
    Ok(options
        .options([("jit", "off")])
        .application_name("consultdesk"))
}

/// A connection idle for longer than this is pinged before it is handed out: after a database
/// restart the pool's connections are dead, and this finds them without a failed request. Under load
/// connections are idle for milliseconds, so busy requests pay no extra round trip.
const PING_WHEN_IDLE_FOR: Duration = Duration::from_secs(1);

/// The most connections one pool opens (a process has one pool per database).
pub const MAX_CONNECTIONS: u32 = 20;

/// How long a read waits for a replica connection before it is served by the primary instead: a
/// dead replica refuses connections, which sqlx retries until this deadline.
const REPLICA_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(1);

/// The primary's pool (`DATABASE_URL`): every write, and the reads that decide one.
pub fn pool(url: &str, settings: &Settings) -> anyhow::Result<PgPool> {
    let options = connect_options(url)?;
    Ok(pool_options(settings, "primary", settings.db_acquire_timeout).connect_lazy_with(options))
}

/// The replica's pool (`DATABASE_READ_URL`), for the public reads [`ReadPool`] sends it.
pub fn replica_pool(url: &str, settings: &Settings) -> anyhow::Result<PgPool> {
    let options = connect_options_of(url, "DATABASE_READ_URL")?;
    let timeout = settings.db_acquire_timeout.min(REPLICA_ACQUIRE_TIMEOUT);
    Ok(pool_options(settings, "replica", timeout).connect_lazy_with(options))
}

/// A pool that answers quickly when the database is away (requests then get 503) and heals by itself
/// when it is back: connections idle for a while are tested before use, and broken ones replaced.
/// `DATABASE_MIN_CONNECTIONS` are kept open, and every connection opened off the request path is
/// warmed before it serves ([`warmup`]).
fn pool_options(
    settings: &Settings,
    name: &'static str,
    acquire_timeout: Duration,
) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        .min_connections(settings.database_min_connections.min(MAX_CONNECTIONS))
        .acquire_timeout(acquire_timeout)
        .test_before_acquire(false)
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                warmup::warm_unless_a_request_waits(conn, name).await;
                Ok(())
            })
        })
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= PING_WHEN_IDLE_FOR {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
        .after_release(|conn, _meta| Box::pin(transactions::fit_to_reuse(conn)))
}

/// Applies pending migrations, explaining the usual cause when PostGIS is missing.
///
/// On a connection of their own, opened unwarmed and closed after: on a new database the warm-up
/// would fail (its tables do not exist yet) and leave a cold connection in the pool.
pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    let mut conn = warmup::unwarmed(pool.acquire())
        .await
        .context("connecting to the database to apply migrations")?;
    let applied = MIGRATOR.run(&mut *conn).await;
    // A connection that cannot close cleanly is dropped by the pool all the same.
    let _ = conn.close().await;
    applied.map_err(|error| {
        let text = error.to_string();
        if text.contains("postgis")
            && (text.contains("not available") || text.contains("could not open extension"))
        {
            anyhow::anyhow!(
                "PostGIS is not installed for this PostgreSQL server ({text}). Install it, e.g. \
                 `apt-get install postgresql-15-postgis-3` (match your server's major version), \
                 or run `scripts/install-deps.sh`."
            )
        } else {
            anyhow::Error::new(error).context("applying database migrations")
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_settings_bound_the_minimum_by_the_pools_maximum() {
        assert_eq!(super::MAX_CONNECTIONS, crate::config::MAX_POOL_CONNECTIONS);
    }
}
