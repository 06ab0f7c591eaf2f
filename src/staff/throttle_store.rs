//! The SQL of the sign-in throttle: the per-email lock, the counts in the window, and the attempt
//! rows. An attempt's network is the client network as `cidr` text, `None` when unknown.

use sqlx::{PgConnection, PgPool};

/// Makes one email's attempts take turns until the caller's transaction ends. The lock key is the
/// email as citext compares it.
pub async fn lock_email(conn: &mut PgConnection, email: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(hashtextextended('staff sign-in ' || lower($1), 0))",
        email,
    )
    .fetch_one(conn)
    .await?;
    Ok(())
}

/// The attempts counted in the last `window_secs`: from this network, and for the email from all.
pub async fn counts(
    conn: &mut PgConnection,
    email: &str,
    network: Option<&str>,
    window_secs: f64,
) -> Result<(i64, i64), sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE network IS NOT DISTINCT FROM $2::text::cidr) AS "pair!", count(*) AS "account!"
           FROM staff_sign_in_attempts
          WHERE email = $1::text::citext AND at > now() - make_interval(secs => $3)"#,
        email,
        network,
        window_secs,
    )
    .fetch_one(conn)
    .await?;
    Ok((row.pair, row.account))
}

/// Seconds until the attempt at `offset` (oldest first) among those counted in the window leaves
/// it: the network's attempts, or the `whole_account`'s. `None` when there is no such attempt.
/// Measured from the clock, not from `now()`: this transaction may have begun (then waited for the
/// lock) before the counted row's did, and the wait would come out longer than the window.
pub async fn seconds_until_leaving(
    conn: &mut PgConnection,
    email: &str,
    network: Option<&str>,
    window_secs: f64,
    whole_account: bool,
    offset: i64,
) -> Result<Option<f64>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT extract(epoch FROM at + make_interval(secs => $3) - clock_timestamp())::float8 AS "secs!"
           FROM staff_sign_in_attempts
          WHERE email = $1::text::citext AND at > now() - make_interval(secs => $3)
            AND ($4 OR network IS NOT DISTINCT FROM $2::text::cidr)
          ORDER BY at
         OFFSET $5 LIMIT 1"#,
        email,
        network,
        window_secs,
        whole_account,
        offset,
    )
    .fetch_optional(conn)
    .await
}

/// A pending attempt; returns its id.
pub async fn insert_pending(
    conn: &mut PgConnection,
    email: &str,
    network: Option<&str>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO staff_sign_in_attempts (email, network) VALUES ($1::text::citext, $2::text::cidr) RETURNING id",
        email,
        network,
    )
    .fetch_one(conn)
    .await
}

/// Forgets the attempt `id` and the settled attempts of the email from the network.
pub async fn forget_settled(
    db: &PgPool,
    email: &str,
    network: Option<&str>,
    id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "DELETE FROM staff_sign_in_attempts
          WHERE email = $1::text::citext AND network IS NOT DISTINCT FROM $2::text::cidr
            AND (id = $3 OR NOT pending)",
        email,
        network,
        id,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Settles the attempt `id` as a failure.
pub async fn settle_failed(db: &PgPool, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE staff_sign_in_attempts SET pending = false WHERE id = $1",
        id,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Deletes a batch of attempts older than a day. SKIP LOCKED: concurrent trimmers share the work
/// instead of queueing.
pub async fn trim_old(db: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "DELETE FROM staff_sign_in_attempts WHERE id IN (
           SELECT id FROM staff_sign_in_attempts WHERE at < now() - interval '1 day'
            ORDER BY at LIMIT 500 FOR UPDATE SKIP LOCKED)"
    )
    .execute(db)
    .await?;
    Ok(())
}
