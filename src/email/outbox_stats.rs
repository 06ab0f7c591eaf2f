//! How many emails the outbox holds in each state, for the metrics.

use crate::domain::status::EmailStatus;
use sqlx::PgPool;

/// The number of outbox rows in every state, zero for a state no row is in.
pub async fn depth_by_status(db: &PgPool) -> Result<Vec<(EmailStatus, i64)>, sqlx::Error> {
    let rows =
        sqlx::query!(r#"SELECT status, count(*) AS "count!" FROM email_outbox GROUP BY status"#)
            .fetch_all(db)
            .await?;
    Ok(EmailStatus::all()
        .iter()
        .map(|status| {
            let count = rows
                .iter()
                .find(|row| row.status == status.as_str())
                .map_or(0, |row| row.count);
            (*status, count)
        })
        .collect())
}
