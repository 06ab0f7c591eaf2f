//! What admins do to clinics, whichever door asks: create, list, read and change them. Admins
//! only; every change is audited in its own transaction.

use crate::directory::clinic_store::{self, ClinicFields, ClinicView};
use crate::error::ApiError;
use crate::staff::audit::{self, AuditEntry};
use crate::staff::auth::CurrentStaff;
use crate::state::AppState;
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

/// The names of the fields an update gives, alphabetically (as the audit log has always listed them).
fn given(fields: &ClinicFields) -> Vec<&'static str> {
    [
        ("address", fields.address.is_some()),
        ("city", fields.city.is_some()),
        ("latitude", fields.latitude.is_some()),
        ("longitude", fields.longitude.is_some()),
        ("name", fields.name.is_some()),
        ("notification_email", fields.notification_email.is_some()),
        ("phone", fields.phone.is_some()),
        ("postal_code", fields.postal_code.is_some()),
        ("province", fields.province.is_some()),
        ("time_zone", fields.time_zone.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, given)| given.then_some(name))
    .collect()
}

async fn record(
    conn: &mut PgConnection,
    staff: &CurrentStaff,
    action: &str,
    clinic_id: Uuid,
    detail: Value,
) -> Result<(), sqlx::Error> {
    audit::record(
        conn,
        AuditEntry {
            staff_id: staff.id,
            action,
            entity_type: "clinic",
            entity_id: clinic_id,
            clinic_id: Some(clinic_id),
            detail,
        },
    )
    .await
}

/// The clinic read back in the transaction that wrote it.
async fn reload(conn: &mut PgConnection, id: Uuid) -> Result<ClinicView, ApiError> {
    clinic_store::fetch(conn, id).await?.ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!(
            "clinic {id} vanished in its own transaction"
        ))
    })
}

pub async fn create(
    state: &AppState,
    staff: &CurrentStaff,
    fields: ClinicFields,
) -> Result<ClinicView, ApiError> {
    staff.require_admin()?;
    let id = Uuid::now_v7();
    let mut tx = crate::db::begin(&state.db).await?;
    clinic_store::insert(&mut tx, id, &fields).await?;
    let clinic = reload(&mut tx, id).await?;
    let detail = serde_json::json!({ "name": clinic.clinic.name });
    record(&mut tx, staff, "clinic.create", id, detail).await?;
    tx.commit().await?;
    Ok(clinic)
}

/// Up to `limit + 1` clinics after `after`, oldest first: the extra one tells that more exist.
pub async fn list(
    state: &AppState,
    staff: &CurrentStaff,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<ClinicView>, ApiError> {
    staff.require_admin()?;
    let mut conn = state.db.acquire().await?;
    Ok(clinic_store::list(&mut conn, after, limit + 1).await?)
}

pub async fn get(state: &AppState, staff: &CurrentStaff, id: Uuid) -> Result<ClinicView, ApiError> {
    staff.require_admin()?;
    let mut conn = state.db.acquire().await?;
    clinic_store::fetch(&mut conn, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Changes the fields given; 404 when no clinic has this id.
pub async fn update(
    state: &AppState,
    staff: &CurrentStaff,
    id: Uuid,
    fields: ClinicFields,
) -> Result<ClinicView, ApiError> {
    staff.require_admin()?;
    let mut tx = crate::db::begin(&state.db).await?;
    if !clinic_store::update(&mut tx, id, &fields).await? {
        return Err(ApiError::NotFound);
    }
    let clinic = reload(&mut tx, id).await?;
    let detail = serde_json::json!({ "fields": given(&fields) });
    record(&mut tx, staff, "clinic.update", id, detail).await?;
    tx.commit().await?;
    Ok(clinic)
}
