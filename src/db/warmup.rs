//! Connections that are warm before they serve.
//!
//! A new Postgres backend plans its first PostGIS query slowly (~20 ms of CPU: it loads PostGIS and
//! fills its catalogue caches), so a freshly started service answered its first searches with a
//! p99 of 371 ms against 49 ms once warm (issue 18). Each new connection therefore runs the hot
//! read statements once, through the same functions the handlers call (so the same SQL text, and
//! sqlx's per-connection statement cache keeps them prepared), with values that match little;
//! and at start the pool's minimum connections are opened, and so warmed, before serving.
//!
//! Only connections opened off the request path are warmed: at start, by the pool's upkeep of its
//! minimum (after a connection was lost or retired), by the background workers. A connection that a
//! request itself opens (a burst beyond the warm minimum) serves that request at once, cold: the
//! warm-up runs every hot statement (~100 ms of CPU, seconds on a loaded machine), which would hold
//! that visitor longer than planning only their own statement cold, and could outlast the acquire
//! timeout (a 503). Requests run inside [`during_requests`], which is how a connection knows. By
//! default the minimum is the pool's size, so a burst opens none; warming a cold connection on its
//! way back to the pool was tried, and during a burst it holds the pool's capacity exactly when
//! requests wait for it (racing bookings got 503s).

use crate::directory::places::{self, Origin, Point};
use crate::directory::search::{self, Filters, Search};
use crate::scheduling::store;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use chrono::{Duration, Utc};
use sqlx::{PgConnection, PgPool};
use std::time::Instant;
use uuid::Uuid;

/// Downtown Toronto: where there are clinics, the search runs every step a real one does (an
/// empty patch of the map would skip the distance functions, whose first calls are slow too).
const SOMEWHERE: Point = Point {
    latitude: 43.6487,
    longitude: -79.3817,
};

tokio::task_local! {
    /// Set while connections must not be warmed as they open (see [`unwarmed`]).
    static UNWARMED: ();
}

/// Middleware around every route: a connection a request opens is not warmed on its time (see the
/// module's documentation).
pub async fn during_requests(request: Request, next: Next) -> Response {
    unwarmed(next.run(request)).await
}

/// Runs `work` so that a connection it opens serves at once, unwarmed: a request's (a visitor
/// waits for it) and the migrations' (the warm-up reads tables they may not have made yet).
pub async fn unwarmed<F: Future>(work: F) -> F::Output {
    UNWARMED.scope((), work).await
}

fn opened_unwarmed() -> bool {
    UNWARMED.try_with(|_| ()).is_ok()
}

/// The pool's `after_connect`: runs the hot statements on a new connection unless a request is
/// waiting for it. Never fails: a connection that could not be warmed still serves (cold), so the
/// failure is only logged and counted.
pub async fn warm_unless_a_request_waits(conn: &mut PgConnection, pool: &'static str) {
    if opened_unwarmed() {
        metrics::counter!("db_connections_opened_cold_total", "pool" => pool).increment(1);
        return;
    }
    warm(conn, pool).await;
}

async fn warm(conn: &mut PgConnection, pool: &'static str) {
    let started = Instant::now();
    match run_hot_statements(conn).await {
        Ok(()) => {
            metrics::counter!("db_connections_warmed_total", "pool" => pool).increment(1);
            tracing::debug!(pool, elapsed = ?started.elapsed(), "warmed a new database connection");
        }
        Err(error) => {
            metrics::counter!("db_connection_warmups_failed_total", "pool" => pool).increment(1);
            tracing::warn!(pool, %error, "could not warm a new database connection; it serves cold");
        }
    }
}

/// What a search, a practitioner's page and a slot list read, once each (the searches for their
/// nearest row only).
async fn run_hot_statements(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    let nearest = Search {
        origin: Origin::Point(SOMEWHERE),
        radius_km: 25.0,
        filters: Filters::default(),
        // The search asks for one row more than the limit: LIMIT 1.
        limit: 0,
        after: None,
    };
    search::practitioners_near(&mut *conn, SOMEWHERE, &nearest).await?;
    search::clinics_near(&mut *conn, SOMEWHERE, &nearest).await?;
    // Whether the places exist does not matter, only that their statements ran.
    let _ = places::resolve(&mut *conn, &Origin::PostalArea("X0X".to_owned())).await?;
    let city = Origin::City {
        name: "nowhere".to_owned(),
        province: None,
    };
    let _ = places::resolve(&mut *conn, &city).await?;
    let nobody = [Uuid::nil()];
    store::bookable(&mut *conn, Uuid::nil()).await?;
    store::schedules(&mut *conn, &nobody).await?;
    let now = Utc::now();
    store::busy(&mut *conn, &nobody, (now, now + Duration::days(1)), None).await?;
    Ok(())
}

/// Opens the pool's minimum connections (each warmed as it connects) and returns once they are
/// open, or once the pool's acquire timeout gave up on those it could not open: a database that is
/// down at start is logged, and the service starts anyway (its requests answer 503 until it is back).
pub async fn open_minimum(pool: &PgPool, name: &'static str) {
    let wanted = pool.options().get_min_connections();
    if wanted == 0 {
        return;
    }
    let started = Instant::now();
    // Held together, so each acquire opens a connection of its own rather than reusing one.
    let held = futures::future::join_all((0..wanted).map(|_| pool.acquire())).await;
    let opened = held.iter().filter(|conn| conn.is_ok()).count();
    let failure = held.into_iter().find_map(Result::err);
    match failure {
        None => tracing::info!(
            pool = name,
            connections = opened,
            elapsed = ?started.elapsed(),
            "opened and warmed the minimum database connections"
        ),
        Some(error) => tracing::warn!(
            pool = name,
            opened,
            wanted,
            %error,
            "could not open the minimum database connections; serving anyway"
        ),
    }
}
