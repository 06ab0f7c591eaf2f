//! The SQL of staff sessions: the account a sign-in names, opening and closing a session, and the
//! staff member a presented token's session belongs to.

use crate::domain::client::ClientInfo;
use crate::domain::status::Role;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// An active account's id and password hash, by email (case-insensitive).
pub async fn active_account(
    db: &PgPool,
    email: &str,
) -> Result<Option<(Uuid, String)>, sqlx::Error> {
    let row = sqlx::query!(
        "SELECT id, password_hash FROM staff WHERE email = $1::text::citext AND active",
        email,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| (row.id, row.password_hash)))
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
    sqlx::query!(
        "DELETE FROM staff_sessions WHERE staff_id = $1 AND expires_at <= now()",
        staff_id,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO staff_sessions (token_hash, staff_id, expires_at, ip, user_agent) VALUES ($1, $2, $3, $4::text::inet, $5)",
        token_hash,
        staff_id,
        expires_at,
        client.ip.map(|ip| ip.to_string()),
        client.user_agent.as_deref(),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Ends the session with this token hash: the token no longer works.
pub async fn close(db: &PgPool, token_hash: &[u8]) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "DELETE FROM staff_sessions WHERE token_hash = $1",
        token_hash
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The active staff member whose unexpired session has this token hash: their id, role and clinics.
pub struct SessionHolder {
    pub id: Uuid,
    pub role: Role,
    pub clinic_ids: Vec<Uuid>,
}

pub async fn holder(
    conn: &mut PgConnection,
    token_hash: &[u8],
) -> Result<Option<SessionHolder>, sqlx::Error> {
    sqlx::query_as!(
        SessionHolder,
        r#"SELECT s.id, s.role AS "role: Role",
                COALESCE(array_agg(sc.clinic_id) FILTER (WHERE sc.clinic_id IS NOT NULL), '{}') AS "clinic_ids!"
           FROM staff_sessions ss
           JOIN staff s ON s.id = ss.staff_id
           LEFT JOIN staff_clinics sc ON sc.staff_id = s.id
          WHERE ss.token_hash = $1 AND ss.expires_at > now() AND s.active
          GROUP BY s.id"#,
        token_hash,
    )
    .fetch_optional(conn)
    .await
}
