//! SQL for callback requests.

use crate::domain::client::ClientInfo;
use crate::intake::form::CallbackForm;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

/// A callback request as the front desk sees it.
#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct CallbackView {
    pub id: Uuid,
    /// `new`, `contacted`, `booked` or `closed`.
    pub status: String,
    pub name: String,
    pub phone: String,
    pub email: Option<String>,
    pub preferred_time: String,
    /// Null: waiting in the network queue, which only admins see.
    pub clinic_id: Option<Uuid>,
    pub patient_id: Uuid,
    pub concern: Option<String>,
    pub source_url: Option<String>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub const CALLBACK_COLUMNS: &str = "id, status, name, phone, email::text AS email, preferred_time, clinic_id, \
     patient_id, concern, source_url, note, created_at, updated_at";

/// Where a page of the queue ends: new requests first, then by age.
#[derive(Debug, Serialize, Deserialize)]
pub struct QueuePosition {
    pub handled: bool,
    pub created_at: DateTime<Utc>,
    pub id: Uuid,
}

impl QueuePosition {
    pub fn of(view: &CallbackView) -> Self {
        QueuePosition {
            handled: view.status != "new",
            created_at: view.created_at,
            id: view.id,
        }
    }
}

pub async fn clinic_exists(conn: &mut PgConnection, clinic_id: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM clinics WHERE id = $1)")
        .bind(clinic_id)
        .fetch_one(conn)
        .await
}

pub async fn insert(
    conn: &mut PgConnection,
    form: &CallbackForm,
    patient_id: Uuid,
    client: &ClientInfo,
) -> Result<(Uuid, DateTime<Utc>), sqlx::Error> {
    sqlx::query_as(
        "INSERT INTO callback_requests
            (id, patient_id, clinic_id, name, phone, email, preferred_time, concern, source_url, ip, user_agent)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::inet, $11)
         RETURNING id, created_at",
    )
    .bind(Uuid::now_v7())
    .bind(patient_id)
    .bind(form.clinic_id)
    .bind(&form.name)
    .bind(form.phone.as_str())
    .bind(form.email.as_ref().map(|email| email.as_str()))
    .bind(form.preferred_time)
    .bind(&form.concern)
    .bind(&form.source_url)
    .bind(client.ip.map(|ip| ip.to_string()))
    .bind(&client.user_agent)
    .fetch_one(conn)
    .await
}

/// Filters of the staff queue, already scoped to what the staff member may see.
pub struct QueueFilter {
    pub is_admin: bool,
    pub clinic_ids: Vec<Uuid>,
    pub status: Option<&'static str>,
    pub clinic_id: Option<Uuid>,
    pub after: Option<QueuePosition>,
    pub limit: i64,
}

pub async fn list(
    conn: &mut PgConnection,
    filter: &QueueFilter,
) -> Result<Vec<CallbackView>, sqlx::Error> {
    let after = filter.after.as_ref();
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CALLBACK_COLUMNS} FROM callback_requests
          WHERE ($1 OR clinic_id = ANY($2))
            AND ($3::text IS NULL OR status = $3)
            AND ($4::uuid IS NULL OR clinic_id = $4)
            AND ($5::bool IS NULL OR (status <> 'new', created_at, id) > ($5, $6, $7))
          ORDER BY status <> 'new', created_at, id
          LIMIT $8"
    )))
    .bind(filter.is_admin)
    .bind(&filter.clinic_ids)
    .bind(filter.status)
    .bind(filter.clinic_id)
    .bind(after.map(|position| position.handled))
    .bind(after.map(|position| position.created_at))
    .bind(after.map(|position| position.id))
    .bind(filter.limit + 1)
    .fetch_all(conn)
    .await
}

/// The request when the staff member may see it; `lock` holds it for an update in this transaction.
pub async fn find_visible(
    conn: &mut PgConnection,
    id: Uuid,
    is_admin: bool,
    clinic_ids: &[Uuid],
    lock: bool,
) -> Result<Option<CallbackView>, sqlx::Error> {
    let lock_clause = if lock { "FOR UPDATE" } else { "" };
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CALLBACK_COLUMNS} FROM callback_requests WHERE id = $1 AND ($2 OR clinic_id = ANY($3)) {lock_clause}"
    )))
    .bind(id)
    .bind(is_admin)
    .bind(clinic_ids)
    .fetch_optional(conn)
    .await
}

pub struct CallbackChange {
    pub status: Option<&'static str>,
    /// `Some(None)` clears the note.
    pub note: Option<Option<String>>,
    /// `Some(None)` returns the request to the network queue.
    pub clinic_id: Option<Option<Uuid>>,
}

pub async fn update(
    conn: &mut PgConnection,
    id: Uuid,
    change: &CallbackChange,
) -> Result<CallbackView, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "UPDATE callback_requests SET
            status = COALESCE($2, status),
            note = CASE WHEN $3 THEN $4 ELSE note END,
            clinic_id = CASE WHEN $5 THEN $6 ELSE clinic_id END,
            updated_at = now()
          WHERE id = $1 RETURNING {CALLBACK_COLUMNS}"
    )))
    .bind(id)
    .bind(change.status)
    .bind(change.note.is_some())
    .bind(change.note.clone().flatten())
    .bind(change.clinic_id.is_some())
    .bind(change.clinic_id.flatten())
    .fetch_one(conn)
    .await
}

/// A patient's callbacks the staff member may see, newest first.
pub async fn for_patient(
    conn: &mut PgConnection,
    patient_id: Uuid,
    is_admin: bool,
    clinic_ids: &[Uuid],
) -> Result<Vec<CallbackView>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CALLBACK_COLUMNS} FROM callback_requests
          WHERE patient_id = $1 AND ($2 OR clinic_id = ANY($3)) ORDER BY created_at DESC, id DESC"
    )))
    .bind(patient_id)
    .bind(is_admin)
    .bind(clinic_ids)
    .fetch_all(conn)
    .await
}
