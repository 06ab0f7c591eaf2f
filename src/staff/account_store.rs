//! The SQL of staff accounts: the account row, its clinics, and the one view of both that the API
//! shows (never with the password hash).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::status::Role;

/// A staff member as the API shows them (never with the password hash).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StaffView {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    #[schema(value_type = Role)]
    pub role: String,
    pub clinic_ids: Vec<Uuid>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// Those of `ids` that are clinics.
pub async fn known_clinics(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!("SELECT id FROM clinics WHERE id = ANY($1)", ids)
        .fetch_all(conn)
        .await
}

/// The account row; a taken email violates `staff_email_key`.
pub async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    email: &str,
    name: &str,
    role: Role,
    password_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO staff (id, email, name, role, password_hash) VALUES ($1, $2::text, $3, $4, $5)",
        id,
        email,
        name,
        role.as_str(),
        password_hash,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Gives the staff member these clinics (those they have already stay).
pub async fn add_clinics(
    conn: &mut PgConnection,
    staff_id: Uuid,
    clinic_ids: &[Uuid],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO staff_clinics (staff_id, clinic_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING",
        staff_id,
        clinic_ids,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn fetch_view(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<StaffView>, sqlx::Error> {
    sqlx::query_as!(
        StaffView,
        r#"SELECT s.id, s.email::text AS "email!", s.name, s.role,
                COALESCE(array_agg(sc.clinic_id ORDER BY sc.clinic_id) FILTER (WHERE sc.clinic_id IS NOT NULL), '{}') AS "clinic_ids!",
                s.active, s.created_at
           FROM staff s LEFT JOIN staff_clinics sc ON sc.staff_id = s.id
          WHERE s.id = $1 GROUP BY s.id"#,
        id,
    )
    .fetch_optional(conn)
    .await
}

/// Up to `limit` staff after `after` (by id), oldest first; the same view as [`fetch_view`].
pub async fn list(
    db: &PgPool,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<StaffView>, sqlx::Error> {
    sqlx::query_as!(
        StaffView,
        r#"SELECT s.id, s.email::text AS "email!", s.name, s.role,
                COALESCE(array_agg(sc.clinic_id ORDER BY sc.clinic_id) FILTER (WHERE sc.clinic_id IS NOT NULL), '{}') AS "clinic_ids!",
                s.active, s.created_at
           FROM staff s LEFT JOIN staff_clinics sc ON sc.staff_id = s.id
          WHERE ($1::uuid IS NULL OR s.id > $1) GROUP BY s.id ORDER BY s.id LIMIT $2"#,
        after,
        limit,
    )
    .fetch_all(db)
    .await
}
