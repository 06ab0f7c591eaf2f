//! What the front desk does with callback requests, whichever door it came through: read the queue
//! and a request, and work one (status, note, routing). Everything is scoped to the staff member's
//! clinics: another clinic's request is `ApiError::NotFound`; admins also see the network queue.

use crate::domain::Invalid;
use crate::error::ApiError;
use crate::intake::store::{self, CallbackChange, CallbackView, QueueFilter, QueuePosition};
use crate::staff::audit::{self, AuditEntry};
use crate::staff::auth::CurrentStaff;
use crate::state::AppState;
use sqlx::PgConnection;
use uuid::Uuid;

/// Which part of the queue is asked for.
pub struct QueueQuery {
    pub status: Option<&'static str>,
    pub clinic_id: Option<Uuid>,
    /// Where the previous page ended.
    pub after: Option<QueuePosition>,
    pub limit: i64,
}

/// The requests the staff member may see, oldest new first: `limit + 1` rows at most, the extra one
/// only telling that another page follows.
pub async fn queue(
    conn: &mut PgConnection,
    staff: &CurrentStaff,
    query: QueueQuery,
) -> Result<Vec<CallbackView>, ApiError> {
    let (is_admin, clinic_ids) = staff.scope();
    let filter = QueueFilter {
        is_admin,
        clinic_ids,
        status: query.status,
        clinic_id: query.clinic_id,
        after: query.after,
        limit: query.limit,
    };
    Ok(store::list(conn, &filter).await?)
}

/// How many new requests wait for the staff member (their clinics'; admins: all, the network's too).
pub async fn new_count(conn: &mut PgConnection, staff: &CurrentStaff) -> Result<i64, ApiError> {
    let (is_admin, clinic_ids) = staff.scope();
    Ok(store::count_new(conn, is_admin, &clinic_ids).await?)
}

/// The request, when the staff member may see it.
pub async fn request(
    conn: &mut PgConnection,
    staff: &CurrentStaff,
    id: Uuid,
) -> Result<CallbackView, ApiError> {
    let (is_admin, clinic_ids) = staff.scope();
    store::find_visible(conn, id, is_admin, &clinic_ids)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Applies `change` to a request the staff member may see, audited. Routing it to a clinic needs
/// that clinic to be one of theirs (admins: any clinic, or none for the network queue).
pub async fn update(
    state: &AppState,
    staff: &CurrentStaff,
    id: Uuid,
    change: CallbackChange,
) -> Result<CallbackView, ApiError> {
    let (is_admin, clinic_ids) = staff.scope();
    let mut tx = crate::db::begin(&state.db).await?;
    let before = store::lock_visible(&mut tx, id, is_admin, &clinic_ids)
        .await?
        .ok_or(ApiError::NotFound)?;
    if let Some(target) = change.clinic_id {
        if !staff.can_see_clinic(target) {
            return Err(ApiError::Forbidden);
        }
        if let Some(clinic_id) = target
            && !store::clinic_exists(&mut tx, clinic_id).await?
        {
            return Err(ApiError::validation(
                "clinic_id",
                Invalid::new("unknown_clinic", "field-unknown-clinic"),
            ));
        }
    }
    let after = store::update(&mut tx, id, &change).await?;
    audit::record(
        &mut tx,
        AuditEntry {
            staff_id: staff.id,
            action: "callback_request.update",
            entity_type: "callback_request",
            entity_id: id,
            clinic_id: after.clinic_id,
            detail: serde_json::json!({
                "status": {"from": before.status, "to": after.status},
                "clinic_id": {"from": before.clinic_id, "to": after.clinic_id},
                "note_changed": change.note.is_some(),
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
