//! Whether the database answers, for readiness.

use sqlx::PgPool;

/// One round trip to the database on a pooled connection.
pub async fn ping(db: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT 1 AS "one!""#)
        .fetch_one(db)
        .await?;
    Ok(())
}
