//! What the Rust benches in bench/ share: how they start, read their settings and make the database
//! they run against. Each bench is its own crate (`mod kit;`), so everything here is used by all.

use anyhow::Context;
use sqlx::{Connection, Executor, PgConnection};
use std::future::Future;
use std::str::FromStr;
use uuid::Uuid;

/// The server the benches use when DATABASE_URL is unset, as bench/run does: the machine's.
const DEFAULT_SERVER_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Runs `bench` on a multi-threaded runtime, or only says how to run it (None): `cargo test
/// --all-targets` builds every bench and runs it without `--bench`, and a bench must not run there.
pub fn run_with_bench_flag<T>(
    how_to_run: &str,
    bench: impl Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<Option<T>> {
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("skipped: run it with {how_to_run}");
        return Ok(None);
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?
        .block_on(bench)
        .map(Some)
}

/// The variable `name` parsed, or `default` when it is unset or blank.
pub fn env_or<T: FromStr>(name: &str, default: T) -> anyhow::Result<T> {
    match std::env::var(name) {
        Ok(raw) if !raw.trim().is_empty() => raw
            .trim()
            .parse()
            .map_err(|_| anyhow::anyhow!("{name}={raw:?} is not a number")),
        _ => Ok(default),
    }
}

/// DATABASE_URL: a Postgres server (with PostGIS) where a bench may create and drop a database.
pub fn server_url() -> String {
    std::env::var("DATABASE_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_SERVER_URL.to_owned())
}

/// A fresh database for one run (`<prefix>_<uuid>`), on the server at `server_url`; `drop` it at the
/// end, whatever the run's outcome.
pub struct BenchDatabase {
    name: String,
    server_url: String,
}

impl BenchDatabase {
    pub async fn create(server_url: &str, prefix: &str) -> anyhow::Result<Self> {
        let name = format!("{prefix}_{}", Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(server_url)
            .await
            .context("connecting to Postgres (set DATABASE_URL)")?;
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .with_context(|| format!("creating the database {name}"))?;
        Ok(BenchDatabase {
            name,
            server_url: server_url.to_owned(),
        })
    }

    pub fn url(&self) -> anyhow::Result<String> {
        let mut url = reqwest::Url::parse(&self.server_url).context("DATABASE_URL is not a URL")?;
        url.set_path(&format!("/{}", self.name));
        Ok(url.into())
    }

    pub async fn drop(self) -> anyhow::Result<()> {
        let mut admin = PgConnection::connect(&self.server_url).await?;
        admin
            .execute(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            )))
            .await
            .with_context(|| format!("dropping the database {}", self.name))?;
        Ok(())
    }
}
