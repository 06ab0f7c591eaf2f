//! The connection pool and the embedded migrations.

use crate::config::Settings;
use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgPool};
use std::str::FromStr;
use std::time::Duration;

pub mod health;
mod transactions;

pub use transactions::{begin, cancelled_begin_recently, outside_transaction};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Connection options for `url`, with the session settings every connection must have.
pub fn connect_options(url: &str) -> anyhow::Result<PgConnectOptions> {
    let options =
        PgConnectOptions::from_str(url).context("DATABASE_URL is not a valid postgres:// URL")?;
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

/// A pool that answers quickly when the database is away (requests then get 503) and heals by itself
/// when it is back: connections idle for a while are tested before use, and broken ones replaced.
pub fn pool(url: &str, settings: &Settings) -> anyhow::Result<PgPool> {
    Ok(PgPoolOptions::new()
        .max_connections(20)
        .min_connections(0)
        .acquire_timeout(settings.db_acquire_timeout)
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= PING_WHEN_IDLE_FOR {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
        .after_release(|conn, _meta| Box::pin(transactions::fit_to_reuse(conn)))
        .connect_lazy_with(connect_options(url)?))
}

/// Applies pending migrations, explaining the usual cause when PostGIS is missing.
pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    MIGRATOR.run(pool).await.map_err(|error| {
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
