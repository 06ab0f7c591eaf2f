//! Building and running the service: the database (given or embedded), migrations, the router,
//! the listener, and a graceful shutdown.

use crate::config::Settings;
use crate::db;
use crate::email::transport::Transport;
use crate::email::worker::{Worker, WorkerConfig};
use crate::embedded_pg::{EmbeddedOptions, EmbeddedPostgres};
use crate::http::router;
use crate::state::AppState;
use anyhow::Context;
use secrecy::ExposeSecret;
use sqlx::PgPool;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;

/// The database the process talks to: the configured server, or a private one it started and must stop.
pub struct Database {
    pub pool: PgPool,
    embedded: Option<EmbeddedPostgres>,
}

impl Database {
    /// Connects to `DATABASE_URL`, or starts the embedded Postgres under `<data_dir>/pg` when it is
    /// unset, for a command or a worker: connections are opened as needed, none kept warm.
    pub async fn open(settings: &Settings) -> anyhow::Result<Self> {
        let mut settings = settings.clone();
        settings.database_min_connections = 0;
        Self::open_serving(&settings).await
    }

    /// [`Database::open`] for the API: its pool keeps `DATABASE_MIN_CONNECTIONS` open (opened and
    /// warmed by [`Application::bind`]).
    pub async fn open_serving(settings: &Settings) -> anyhow::Result<Self> {
        let (url, embedded) = match &settings.database_url {
            Some(url) => (url.expose_secret().to_owned(), None),
            None => {
                let dir = settings.data_dir.join("pg");
                tracing::info!(dir = %dir.display(), "DATABASE_URL is unset: using the embedded Postgres");
                let embedded = EmbeddedPostgres::start(&dir, EmbeddedOptions::default()).await?;
                (embedded.url(), Some(embedded))
            }
        };
        let pool = db::pool(&url, settings)?;
        Ok(Database { pool, embedded })
    }

    /// Closes the pool and stops the embedded Postgres, if this process started one.
    pub async fn close(self) -> anyhow::Result<()> {
        self.pool.close().await;
        if let Some(embedded) = self.embedded {
            embedded.stop().await?;
        }
        Ok(())
    }
}

/// A bound, ready-to-run API server.
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Opens and warms the pools' minimum connections (the primary `pool`, and the replica's of
    /// `DATABASE_READ_URL` when set), then binds `settings.bind_addr` (port 0 picks a free port, as
    /// tests do): the first requests find warm connections waiting.
    pub async fn bind(settings: Settings, pool: PgPool) -> anyhow::Result<Self> {
        // Installed first, so the warm-up's counters are recorded.
        crate::http::metrics::handle();
        let replica = match &settings.database_read_url {
            Some(url) => Some(db::replica_pool(url.expose_secret(), &settings)?),
            None => None,
        };
        let warming_replica = async {
            if let Some(replica) = &replica {
                db::warmup::open_minimum(replica, "replica").await;
            }
        };
        tokio::join!(db::warmup::open_minimum(&pool, "primary"), warming_replica);
        let reads = db::ReadPool::new(pool.clone(), replica);
        let listener = TcpListener::bind(settings.bind_addr)
            .await
            .with_context(|| format!("binding {}", settings.bind_addr))?;
        Ok(Application {
            listener,
            state: AppState::with_reads(pool, reads, settings),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Serves until `shutdown` resolves, then stops taking connections and finishes requests in flight.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let limiters = [
            self.state.public_limiter.clone(),
            self.state.public_read_limiter.clone(),
        ];
        let sweeper = tokio::spawn(async move {
            let mut every_minute = tokio::time::interval(Duration::from_secs(60));
            loop {
                every_minute.tick().await;
                limiters
                    .iter()
                    .for_each(|limiter| limiter.forget_idle_clients());
            }
        });
        let app = router::build(self.state).into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown)
            .await;
        sweeper.abort();
        served.context("serving HTTP")
    }
}

/// `consultdesk serve`: the API and (unless `with_worker` is false) the email worker, until SIGTERM
/// or Ctrl-C. On shutdown the API stops taking requests and finishes those in flight, and the worker
/// finishes the emails it is sending.
pub async fn serve(settings: Settings, with_worker: bool) -> anyhow::Result<()> {
    let settings = with_signing_key(settings)?;
    let database = Database::open_serving(&settings).await?;
    let result = serve_on(&settings, &database, with_worker).await;
    let closed = database.close().await;
    result.and(closed)
}

/// `consultdesk worker`: the email worker alone (several may run against one database).
pub async fn work(settings: Settings) -> anyhow::Result<()> {
    let settings = with_signing_key(settings)?;
    let database = Database::open(&settings).await?;
    let result = async {
        db::migrate(&database.pool).await?;
        let worker = email_worker(&settings, database.pool.clone())?;
        tracing::info!("email worker started");
        worker.run(shutdown_signal()).await;
        anyhow::Ok(())
    }
    .await;
    let closed = database.close().await;
    result.and(closed)
}

fn with_signing_key(mut settings: Settings) -> anyhow::Result<Settings> {
    settings.signing_key = Some(crate::signing_key::resolve(
        settings.signing_key.as_ref(),
        &settings.data_dir,
    )?);
    Ok(settings)
}

/// The email worker configured from `settings`.
pub fn email_worker(settings: &Settings, pool: PgPool) -> anyhow::Result<Worker> {
    let transport = Transport::from_settings(settings.smtp_url.as_ref(), &settings.data_dir)?;
    let mut config = WorkerConfig::new(
        settings.mail_from.clone(),
        settings.public_base_url.clone(),
        settings.signing_keys(),
    );
    config.network_name = settings.network_name.clone();
    Ok(Worker::new(pool, transport, config))
}

async fn serve_on(
    settings: &Settings,
    database: &Database,
    with_worker: bool,
) -> anyhow::Result<()> {
    db::migrate(&database.pool).await?;
    let app = Application::bind(settings.clone(), database.pool.clone()).await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    let worker = match with_worker {
        true => {
            let worker = email_worker(settings, database.pool.clone())?;
            Some(tokio::spawn(worker.run(until_stopped(stopped.clone()))))
        }
        false => None,
    };
    tracing::info!(addr = %app.local_addr(), worker = with_worker, "consultdesk is listening");
    let served = app.run_until(until_stopped(stopped)).await;
    tracing::info!("stopped taking requests; in-flight requests finished");
    if let Some(worker) = worker {
        worker.await.context("the email worker panicked")?;
    }
    served
}

/// Resolves once the watch says stop.
async fn until_stopped(mut stopped: tokio::sync::watch::Receiver<bool>) {
    let _ = stopped.wait_for(|stop| *stop).await;
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested");
}
