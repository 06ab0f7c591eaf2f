//! The audit log: every staff action (and every change a patient makes through their link), who did
//! it and when, written in the action's own transaction.

use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

pub struct AuditEntry<'a> {
    pub staff_id: Uuid,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Uuid,
    pub clinic_id: Option<Uuid>,
    pub detail: Value,
}

pub async fn record(conn: &mut PgConnection, entry: AuditEntry<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO audit_log (id, staff_id, action, entity_type, entity_id, clinic_id, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        Uuid::now_v7(),
        entry.staff_id,
        entry.action,
        entry.entity_type,
        entry.entity_id,
        entry.clinic_id,
        entry.detail,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// What a patient did through the link in their emails (no staff member), with actor `patient`.
pub struct PatientEntry<'a> {
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Uuid,
    pub clinic_id: Option<Uuid>,
    pub detail: Value,
}

pub async fn record_by_patient(
    conn: &mut PgConnection,
    entry: PatientEntry<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO audit_log (id, staff_id, actor, action, entity_type, entity_id, clinic_id, detail)
         VALUES ($1, NULL, 'patient', $2, $3, $4, $5, $6)",
        Uuid::now_v7(),
        entry.action,
        entry.entity_type,
        entry.entity_id,
        entry.clinic_id,
        entry.detail,
    )
    .execute(conn)
    .await?;
    Ok(())
}
