//! The connection pool never hands a request a connection that an earlier, cancelled request left
//! inside a transaction (sqlx 0.9.0 loses track of a `BEGIN` cancelled in flight; `db::begin`
//! notices the cancellation and the pool then checks what comes back).

use crate::helpers::new_test_database;
use consultdesk::config::Settings;
use consultdesk::db;
use sqlx::{Connection, Executor, PgPool};

fn pool(url: &str) -> PgPool {
    let mut settings = Settings::from_lookup(|_| None).unwrap();
    // No minimum: these tests count the pool's connections, which its upkeep would add to.
    settings.database_min_connections = 0;
    db::pool(url, &settings).unwrap()
}

#[tokio::test]
async fn after_a_cancelled_begin_a_connection_returned_inside_a_transaction_is_closed() {
    let (_database, url) = new_test_database().await;
    let pool = pool(&url);

    // A `begin` dropped before it finished, as a request is when its client goes away.
    drop(db::begin(&pool));
    assert!(db::cancelled_begin_recently());
    // What such a cancellation can leave behind: the server is inside a transaction block that sqlx
    // does not know about (its transaction depth is still 0, so nothing rolls it back).
    let mut conn = pool.acquire().await.unwrap();
    conn.execute("BEGIN").await.unwrap();
    conn.execute("CREATE TABLE left_uncommitted (id int)")
        .await
        .unwrap();
    // Run the release (and its check) now rather than in a task spawned by Drop, so that what the
    // pool holds afterwards is settled.
    conn.return_to_pool().await;
    drop(conn);

    let mut next = pool.acquire().await.unwrap();
    assert!(
        db::outside_transaction(&mut next).await.unwrap(),
        "the next borrower runs inside the abandoned transaction"
    );
    drop(next);
    let observer = PgPool::connect(&url).await.unwrap();
    let table: Option<String> = sqlx::query_scalar("SELECT to_regclass('left_uncommitted')::text")
        .fetch_one(&observer)
        .await
        .unwrap();
    assert_eq!(table, None, "the abandoned transaction was committed");
}

#[tokio::test]
async fn begins_cancelled_at_any_moment_never_swallow_later_writes() {
    let (_database, url) = new_test_database().await;
    let pool = pool(&url);
    sqlx::query("CREATE TABLE writes (n int)")
        .execute(&pool)
        .await
        .unwrap();

    // Cancel `begin`s after one, two, … polls: the earliest stop while acquiring, later ones with
    // BEGIN sent and its answer not yet read, the moment sqlx 0.9.0 loses track of. After each,
    // an autocommit write on whatever connection the pool hands out next.
    let mut cancelled = 0;
    let writes = 200;
    for n in 0..writes {
        let mut begin = Box::pin(db::begin(&pool));
        let mut finished = false;
        for _ in 0..=(n % 4) {
            if futures::poll!(begin.as_mut()).is_ready() {
                finished = true;
                break;
            }
            tokio::task::yield_now().await;
        }
        cancelled += usize::from(!finished);
        drop(begin);
        sqlx::query("INSERT INTO writes (n) VALUES ($1)")
            .bind(n)
            .execute(&pool)
            .await
            .unwrap();
    }
    assert!(
        cancelled > 0,
        "no begin was cancelled: the test proves nothing"
    );
    pool.close().await;

    let observer = PgPool::connect(&url).await.unwrap();
    let committed: i64 = sqlx::query_scalar("SELECT count(*) FROM writes")
        .fetch_one(&observer)
        .await
        .unwrap();
    assert_eq!(
        committed,
        i64::from(writes),
        "writes ran inside transactions abandoned by cancelled begins, and were lost"
    );
}

#[tokio::test]
async fn connections_after_ordinary_transactions_are_kept() {
    let (_database, url) = new_test_database().await;
    let pool = pool(&url);

    let mut conn = pool.acquire().await.unwrap();
    let mut committed = conn.begin().await.unwrap();
    committed.execute("SELECT 1").await.unwrap();
    committed.commit().await.unwrap();
    let rolled_back = conn.begin().await.unwrap();
    drop(rolled_back);
    assert!(db::outside_transaction(&mut conn).await.unwrap());

    let open = pool.size();
    conn.return_to_pool().await;
    drop(conn);
    assert_eq!(
        pool.size(),
        open,
        "a healthy connection was closed instead of kept"
    );
    assert_eq!(pool.num_idle(), 1);
}

/// Issue 18: a connection opened for a waiting request serves it at once, and only those opened
/// off the request path (the start's minimum, the pool's upkeep, the workers) run the warm-up
/// first, whose time would otherwise be the visitor's (and could outlast the acquire timeout).
#[tokio::test]
async fn only_connections_opened_off_the_request_path_are_warmed_before_they_serve() {
    let (_database, url) = new_test_database().await;
    let pool = pool(&url);

    let for_a_request = db::warmup::unwarmed(pool.acquire()).await.unwrap();
    let for_a_worker = pool.acquire().await.unwrap();

    // Each backend's last statement: '' for one that has run nothing since it connected.
    let observer = PgPool::connect(&url).await.unwrap();
    let mut ran: Vec<String> = sqlx::query_scalar(
        "SELECT query FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'consultdesk'",
    )
    .fetch_all(&observer)
    .await
    .unwrap();
    ran.sort();
    assert_eq!(ran.len(), 2, "{ran:?}");
    assert_eq!(ran[0], "", "the request's connection ran something first");
    assert_ne!(ran[1], "", "the worker's connection was not warmed");
    drop((for_a_request, for_a_worker));
}
