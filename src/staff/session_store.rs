//! The SQL of staff sessions: the account a sign-in names, and opening and closing a session.

use crate::domain::client::ClientInfo;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// An active account's id and password hash, by email (case-insensitive).
pub async fn active_account(
    db: &PgPool,
    email: &str,
) -> Result<Option<(Uuid, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, password_hash FROM staff WHERE email = $1::citext AND active")
        .bind(email)
        .fetch_optional(db)
        .await
}

/// Stores a new session (its token's hash only) and drops the account's expired ones, which are
/// dead weight.
pub async fn open(
    conn: &mut PgConnection,
    staff_id: Uuid,
    token_hash: &[u8],
    expires_at: DateTime<Utc>,
    client: &ClientInfo,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM staff_sessions WHERE staff_id = $1 AND expires_at <= now()")
        .bind(staff_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO staff_sessions (token_hash, staff_id, expires_at, ip, user_agent) VALUES ($1, $2, $3, $4::inet, $5)",
    )
    .bind(token_hash)
    .bind(staff_id)
    .bind(expires_at)
    .bind(client.ip.map(|ip| ip.to_string()))
    .bind(&client.user_agent)
    .execute(conn)
    .await?;
    Ok(())
}

/// Ends the session with this token hash: the token no longer works.
pub async fn close(db: &PgPool, token_hash: &[u8]) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM staff_sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(db)
        .await?;
    Ok(())
}
