//! The connection pool never hands a request a connection that an earlier, cancelled request left
//! inside a transaction (sqlx 0.9.0 loses track of a `BEGIN` cancelled in flight).

use crate::helpers::new_test_database;
use consultdesk::config::Settings;
use consultdesk::db;
use sqlx::{Connection, Executor, PgPool};

fn pool(url: &str) -> PgPool {
    let settings = Settings::from_lookup(|_| None).unwrap();
    db::pool(url, &settings).unwrap()
}

async fn transactions_left_open(pool: &PgPool, database: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity
          WHERE datname = $1 AND state LIKE 'idle in transaction%'",
    )
    .bind(database)
    .fetch_one(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_connection_returned_inside_a_transaction_is_closed_not_reused() {
    let (database, url) = new_test_database().await;
    let pool = pool(&url);

    // What a cancelled `pool.begin()` leaves behind: the server is inside a transaction block that
    // sqlx does not know about (its transaction depth is still 0, so nothing rolls it back).
    let mut conn = pool.acquire().await.unwrap();
    conn.execute("BEGIN").await.unwrap();
    conn.execute("CREATE TABLE left_uncommitted (id int)")
        .await
        .unwrap();
    // Run the release (and its checks) now rather than in a task spawned by Drop, so that what the
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
    assert_eq!(transactions_left_open(&observer, &database).await, 0);
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
