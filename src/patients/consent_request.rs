//! Recording a consent change a person asked for in person or by phone, entered by a staff member
//! at one of their clinics: a ledger row with source `staff` and the staff member's id, audited; a
//! withdrawal suppresses that clinic's queued emails of the category at once.

use crate::consent::ledger::{self, ConsentEventView, Evidence, Visible};
use crate::domain::Invalid;
use crate::domain::client::ClientInfo;
use crate::domain::consent::{ConsentCategory, ConsentSource, Sender};
use crate::domain::wording;
use crate::error::ApiError;
use crate::intake::store as callbacks;
use crate::patients::store::find_visible;
use crate::staff::audit::{self, AuditEntry};
use crate::staff::auth::CurrentStaff;
use crate::state::AppState;
use serde_json::json;
use uuid::Uuid;

/// What the person asked to change, validated.
pub struct ConsentChange {
    pub clinic_id: Uuid,
    pub category: ConsentCategory,
    pub granted: bool,
    /// How the person asked ("by phone, 2 Dec"), kept with the row.
    pub note: Option<String>,
}

/// Records `change` for the patient and returns the new ledger row as `staff` may see it. 404 when
/// the patient is not theirs to see, 403 for a clinic not theirs, 422 for an unknown clinic.
pub async fn record(
    state: &AppState,
    staff: &CurrentStaff,
    client: &ClientInfo,
    patient_id: Uuid,
    change: &ConsentChange,
) -> Result<ConsentEventView, ApiError> {
    let (is_admin, clinic_ids) = staff.scope();
    let mut tx = crate::db::begin(&state.db).await?;
    find_visible(&mut tx, patient_id, is_admin, &clinic_ids)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !staff.can_see_clinic(Some(change.clinic_id)) {
        return Err(ApiError::Forbidden);
    }
    if !callbacks::clinic_exists(&mut tx, change.clinic_id).await? {
        return Err(ApiError::validation(
            "clinic_id",
            Invalid::new("unknown_clinic", "field-unknown-clinic"),
        ));
    }
    let sender = Sender::Clinic(change.clinic_id);
    ledger::lock_patient(&mut tx, patient_id).await?;
    // The person's request is evidence even when it repeats the state in force, so it is always
    // recorded; a withdrawal also stops what that clinic has queued in the category.
    let ids = ledger::record(
        &mut tx,
        patient_id,
        sender,
        &[(change.category, change.granted)],
        &Evidence {
            source: ConsentSource::Staff,
            wording_version: wording::STAFF_RECORDED,
            client,
            staff_id: Some(staff.id),
            note: change.note.as_deref(),
        },
    )
    .await?;
    if !change.granted {
        ledger::suppress_queued(&mut tx, patient_id, sender, &[change.category]).await?;
    }
    audit::record(
        &mut tx,
        AuditEntry {
            staff_id: staff.id,
            action: "consent.recorded",
            entity_type: "patient",
            entity_id: patient_id,
            clinic_id: Some(change.clinic_id),
            detail: json!({
                "category": change.category.as_str(),
                "granted": change.granted,
                "consent_event_id": ids.first(),
            }),
        },
    )
    .await?;
    let recorded = ledger::history(&mut tx, patient_id, Visible::Clinics(&[change.clinic_id]))
        .await?
        .into_iter()
        .find(|event| ids.contains(&event.id))
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a recorded consent row vanished")))?;
    tx.commit().await?;
    tracing::info!(patient_id = %patient_id, staff_id = %staff.id, "consent recorded by staff");
    Ok(if is_admin {
        recorded
    } else {
        recorded.without_client_details()
    })
}
