//! SQL for callback requests.

use crate::domain::client::ClientInfo;
use crate::domain::locale::Locale;
use crate::intake::form::CallbackForm;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

/// A callback request as the front desk sees it.
// Every read of it lists the same columns; `query_as!` fails the build when one differs from the fields.
#[derive(Debug, Serialize, ToSchema)]
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
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM clinics WHERE id = $1) AS "exists!""#,
        clinic_id
    )
    .fetch_one(conn)
    .await
}

pub async fn insert(
    conn: &mut PgConnection,
    form: &CallbackForm,
    patient_id: Uuid,
    locale: Locale,
    client: &ClientInfo,
) -> Result<(Uuid, DateTime<Utc>), sqlx::Error> {
    let row = sqlx::query!(
        "INSERT INTO callback_requests
            (id, patient_id, clinic_id, name, phone, email, preferred_time, concern, source_url, ip, user_agent, locale)
         VALUES ($1, $2, $3, $4, $5, $6::text, $7, $8, $9, $10::text::inet, $11, $12)
         RETURNING id, created_at",
        Uuid::now_v7(),
        patient_id,
        form.clinic_id,
        form.name,
        form.phone.as_str(),
        form.email.as_ref().map(|email| email.as_str()),
        form.preferred_time,
        form.concern,
        form.source_url,
        client.ip.map(|ip| ip.to_string()) as Option<String>,
        client.user_agent,
        locale.as_str(),
    )
    .fetch_one(conn)
    .await?;
    Ok((row.id, row.created_at))
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
    sqlx::query_as!(
        CallbackView,
        "SELECT id, status, name, phone, email::text AS email, preferred_time, clinic_id,
                patient_id, concern, source_url, note, created_at, updated_at
           FROM callback_requests
          WHERE ($1 OR clinic_id = ANY($2))
            AND ($3::text IS NULL OR status = $3)
            AND ($4::uuid IS NULL OR clinic_id = $4)
            AND ($5::bool IS NULL OR (status <> 'new', created_at, id) > ($5, $6, $7))
          ORDER BY status <> 'new', created_at, id
          LIMIT $8",
        filter.is_admin,
        &filter.clinic_ids,
        filter.status,
        filter.clinic_id,
        after.map(|position| position.handled),
        after.map(|position| position.created_at),
        after.map(|position| position.id),
        filter.limit + 1,
    )
    .fetch_all(conn)
    .await
}

/// How many `new` requests wait at these clinics (admins: everywhere, the network queue included).
pub async fn count_new(
    conn: &mut PgConnection,
    is_admin: bool,
    clinic_ids: &[Uuid],
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM callback_requests
            WHERE status = 'new' AND ($1 OR clinic_id = ANY($2))"#,
        is_admin,
        clinic_ids,
    )
    .fetch_one(conn)
    .await
}

/// The request when the staff member may see it.
pub async fn find_visible(
    conn: &mut PgConnection,
    id: Uuid,
    is_admin: bool,
    clinic_ids: &[Uuid],
) -> Result<Option<CallbackView>, sqlx::Error> {
    sqlx::query_as!(
        CallbackView,
        "SELECT id, status, name, phone, email::text AS email, preferred_time, clinic_id,
                patient_id, concern, source_url, note, created_at, updated_at
           FROM callback_requests WHERE id = $1 AND ($2 OR clinic_id = ANY($3))",
        id,
        is_admin,
        clinic_ids,
    )
    .fetch_optional(conn)
    .await
}

/// [`find_visible`], holding the request for an update in this transaction.
pub async fn lock_visible(
    conn: &mut PgConnection,
    id: Uuid,
    is_admin: bool,
    clinic_ids: &[Uuid],
) -> Result<Option<CallbackView>, sqlx::Error> {
    sqlx::query_as!(
        CallbackView,
        "SELECT id, status, name, phone, email::text AS email, preferred_time, clinic_id,
                patient_id, concern, source_url, note, created_at, updated_at
           FROM callback_requests WHERE id = $1 AND ($2 OR clinic_id = ANY($3)) FOR UPDATE",
        id,
        is_admin,
        clinic_ids,
    )
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
    sqlx::query_as!(
        CallbackView,
        "UPDATE callback_requests SET
            status = COALESCE($2, status),
            note = CASE WHEN $3 THEN $4 ELSE note END,
            clinic_id = CASE WHEN $5 THEN $6 ELSE clinic_id END,
            updated_at = now()
          WHERE id = $1
         RETURNING id, status, name, phone, email::text AS email, preferred_time, clinic_id,
                   patient_id, concern, source_url, note, created_at, updated_at",
        id,
        change.status,
        change.note.is_some(),
        change.note.clone().flatten(),
        change.clinic_id.is_some(),
        change.clinic_id.flatten(),
    )
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
    sqlx::query_as!(
        CallbackView,
        "SELECT id, status, name, phone, email::text AS email, preferred_time, clinic_id,
                patient_id, concern, source_url, note, created_at, updated_at
           FROM callback_requests
          WHERE patient_id = $1 AND ($2 OR clinic_id = ANY($3)) ORDER BY created_at DESC, id DESC",
        patient_id,
        is_admin,
        clinic_ids,
    )
    .fetch_all(conn)
    .await
}
