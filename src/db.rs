//! The connection pool and the embedded migrations.

use crate::config::Settings;
use anyhow::Context;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;

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

/// A pool that answers quickly when the database is away (requests then get 503) and heals by itself
/// when it is back: broken connections are tested before use and replaced.
pub fn pool(url: &str, settings: &Settings) -> anyhow::Result<PgPool> {
    Ok(PgPoolOptions::new()
        .max_connections(20)
        .min_connections(0)
        .acquire_timeout(settings.db_acquire_timeout)
        .test_before_acquire(true)
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
