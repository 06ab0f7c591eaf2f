//! What admins do to practitioners, whichever door asks: create, list, read and change them.
//! Admins only; a practitioner belongs to a clinic that exists (422 otherwise); every change is
//! audited in its own transaction.

use crate::directory::clinic_store;
use crate::directory::practitioner_store::{self, PractitionerFields, PractitionerView};
use crate::domain::Invalid;
use crate::error::ApiError;
use crate::staff::audit::{self, AuditEntry};
use crate::staff::auth::CurrentStaff;
use crate::state::AppState;
use sqlx::PgConnection;
use uuid::Uuid;

/// The names of the fields an update gives, in the order the body documents them.
fn given(fields: &PractitionerFields) -> Vec<&'static str> {
    [
        ("clinic_id", fields.clinic_id.is_some()),
        ("name", fields.name.is_some()),
        ("discipline", fields.discipline.is_some()),
        ("services", fields.services.is_some()),
        ("languages", fields.languages.is_some()),
        ("consult_modes", fields.consult_modes.is_some()),
        ("active", fields.active.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, given)| given.then_some(name))
    .collect()
}

/// A clinic named in the fields must exist.
async fn require_clinic(conn: &mut PgConnection, clinic_id: Option<Uuid>) -> Result<(), ApiError> {
    if let Some(clinic_id) = clinic_id
        && !clinic_store::exists(conn, clinic_id).await?
    {
        return Err(ApiError::validation(
            "clinic_id",
            Invalid::new("unknown_clinic", "field-unknown-clinic"),
        ));
    }
    Ok(())
}

async fn record(
    conn: &mut PgConnection,
    staff: &CurrentStaff,
    action: &str,
    view: &PractitionerView,
    changed: Vec<&str>,
) -> Result<(), sqlx::Error> {
    audit::record(
        conn,
        AuditEntry {
            staff_id: staff.id,
            action,
            entity_type: "practitioner",
            entity_id: view.id,
            clinic_id: Some(view.clinic_id),
            detail: serde_json::json!({ "fields": changed }),
        },
    )
    .await
}

/// The practitioner read back in the transaction that wrote it.
async fn reload(conn: &mut PgConnection, id: Uuid) -> Result<PractitionerView, ApiError> {
    practitioner_store::fetch(conn, id).await?.ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!(
            "practitioner {id} vanished in its own transaction"
        ))
    })
}

pub async fn create(
    state: &AppState,
    staff: &CurrentStaff,
    fields: PractitionerFields,
) -> Result<PractitionerView, ApiError> {
    staff.require_admin()?;
    let id = Uuid::now_v7();
    let mut tx = crate::db::begin(&state.db).await?;
    require_clinic(&mut tx, fields.clinic_id).await?;
    practitioner_store::insert(&mut tx, id, &fields).await?;
    let view = reload(&mut tx, id).await?;
    record(&mut tx, staff, "practitioner.create", &view, vec![]).await?;
    tx.commit().await?;
    Ok(view)
}

/// Up to `limit + 1` practitioners after `after` (of one clinic when `clinic_id` is given),
/// oldest first: the extra one tells that more exist.
pub async fn list(
    state: &AppState,
    staff: &CurrentStaff,
    clinic_id: Option<Uuid>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<PractitionerView>, ApiError> {
    staff.require_admin()?;
    let mut conn = state.db.acquire().await?;
    Ok(practitioner_store::list(&mut conn, clinic_id, after, limit + 1).await?)
}

pub async fn get(
    state: &AppState,
    staff: &CurrentStaff,
    id: Uuid,
) -> Result<PractitionerView, ApiError> {
    staff.require_admin()?;
    let mut conn = state.db.acquire().await?;
    practitioner_store::fetch(&mut conn, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Changes the fields given; 404 when no practitioner has this id.
pub async fn update(
    state: &AppState,
    staff: &CurrentStaff,
    id: Uuid,
    fields: PractitionerFields,
) -> Result<PractitionerView, ApiError> {
    staff.require_admin()?;
    let mut tx = crate::db::begin(&state.db).await?;
    require_clinic(&mut tx, fields.clinic_id).await?;
    if !practitioner_store::update(&mut tx, id, &fields).await? {
        return Err(ApiError::NotFound);
    }
    let view = reload(&mut tx, id).await?;
    record(&mut tx, staff, "practitioner.update", &view, given(&fields)).await?;
    tx.commit().await?;
    Ok(view)
}
