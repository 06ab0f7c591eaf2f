//! Beginning transactions so that a cancelled `BEGIN` never leaks into the next request.
//!
//! sqlx 0.9.0 loses track of a transaction whose `BEGIN` is cancelled in flight (a client that
//! disconnects, the request timeout): the server opens it, sqlx's rollback-on-drop does not fire
//! because it has not counted the transaction yet, and the connection goes back to the pool inside
//! it. Whoever borrowed it next would run uncommitted, holding its locks, until the connection died
//! (transact-rs/sqlx#4393; fixed upstream by #4394, not in a release yet).
//!
//! Checking every connection on release costs a round trip per request (20–45 % of the staff list's
//! throughput in `bench/run`'s profile), so only releases that follow a cancelled `begin` are
//! checked: [`begin`] notes when it is dropped unfinished, and for a moment after that the pool's
//! `after_release` hook asks the server whether the connection is still inside a transaction block,
//! and closes it if so (the server then rolls the transaction back).

use sqlx::{PgConnection, PgPool, Postgres, Row, Transaction};
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// How long after a cancelled `begin` released connections are checked. The cancelled future's
/// connection is released by a task spawned as it is dropped, within milliseconds.
const CHECK_WINDOW: Duration = Duration::from_secs(2);

/// Milliseconds since [`epoch`] until which released connections are checked (0: none).
static CHECK_UNTIL_MS: AtomicU64 = AtomicU64::new(0);

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn now_ms() -> u64 {
    u64::try_from(epoch().elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Starts a transaction on a pooled connection; use it instead of `PgPool::begin`.
pub fn begin(
    pool: &PgPool,
) -> impl Future<Output = Result<Transaction<'static, Postgres>, sqlx::Error>> + Send + '_ {
    WatchCancellation {
        #[allow(clippy::disallowed_methods)] // the one place that may
        inner: Box::pin(pool.begin()),
        finished: false,
    }
}

/// Whether a connection released now must be checked (a `begin` was cancelled a moment ago).
pub fn cancelled_begin_recently() -> bool {
    now_ms() < CHECK_UNTIL_MS.load(Ordering::Acquire)
}

struct WatchCancellation<F> {
    inner: Pin<Box<F>>,
    finished: bool,
}

impl<F: Future> Future for WatchCancellation<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let poll = self.inner.as_mut().poll(cx);
        if poll.is_ready() {
            self.finished = true;
        }
        poll
    }
}

impl<F> Drop for WatchCancellation<F> {
    // Runs before `inner` (and the connection in it) is dropped, so the window is open before the
    // connection's release can be checked.
    fn drop(&mut self) {
        if !self.finished {
            let until = now_ms().saturating_add(CHECK_WINDOW.as_millis() as u64);
            CHECK_UNTIL_MS.fetch_max(until, Ordering::AcqRel);
        }
    }
}

/// The pool's `after_release` hook: keep the connection unless it may carry a leaked transaction.
pub async fn fit_to_reuse(conn: &mut PgConnection) -> Result<bool, sqlx::Error> {
    if cancelled_begin_recently() {
        outside_transaction(conn).await
    } else {
        Ok(true)
    }
}

/// Whether the connection is outside any transaction block. In a simple query,
/// `transaction_timestamp()` equals `statement_timestamp()` unless an earlier `BEGIN` is still open.
pub async fn outside_transaction(conn: &mut PgConnection) -> Result<bool, sqlx::Error> {
    // Not `query!`: a prepared (extended-protocol) statement gets a new statement timestamp at
    // each message, so the two would differ even outside a transaction block.
    let row = sqlx::raw_sql("SELECT transaction_timestamp() = statement_timestamp()")
        .fetch_one(&mut *conn)
        .await?;
    let outside: bool = row.try_get(0)?;
    if !outside {
        tracing::warn!(
            "closing a pooled connection left inside a transaction by a cancelled request"
        );
    }
    Ok(outside)
}
