//! The consent feature's SQL beside the ledger (`ledger` keeps the ledger's own): pending double
//! opt-ins, the patient behind an unsubscribe link, the language of their pages, and the clinic
//! details the pages and forms name.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// A form's `service_updates` grant waiting for the person to confirm it from the emailed link.
pub struct PendingConfirmation {
    pub id: Uuid,
    pub patient_id: Uuid,
    /// The form's clinic; none: a network form.
    pub clinic_id: Option<Uuid>,
    /// Whether the form's words also named the network.
    pub to_network: bool,
    pub category: String,
    pub wording_version: String,
    pub expires_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
}

pub async fn confirmation(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<PendingConfirmation>, sqlx::Error> {
    sqlx::query_as!(
        PendingConfirmation,
        "SELECT id, patient_id, clinic_id, to_network, category, wording_version, expires_at, confirmed_at
           FROM consent_confirmations WHERE id = $1",
        id,
    )
    .fetch_optional(conn)
    .await
}

/// The pending consent, held for this transaction so two clicks confirm it once.
pub async fn lock_confirmation(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<PendingConfirmation>, sqlx::Error> {
    sqlx::query_as!(
        PendingConfirmation,
        "SELECT id, patient_id, clinic_id, to_network, category, wording_version, expires_at, confirmed_at
           FROM consent_confirmations WHERE id = $1 FOR UPDATE",
        id,
    )
    .fetch_optional(conn)
    .await
}

pub async fn mark_confirmed(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE consent_confirmations SET confirmed_at = now() WHERE id = $1",
        id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether a confirmation for this person and form clinic was asked, and not yet given, within
/// the last `hours`.
pub async fn recently_asked(
    conn: &mut PgConnection,
    patient_id: Uuid,
    clinic_id: Option<Uuid>,
    hours: i32,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM consent_confirmations
                         WHERE patient_id = $1 AND clinic_id IS NOT DISTINCT FROM $2
                           AND confirmed_at IS NULL AND created_at > now() - make_interval(hours => $3)) AS "asked!""#,
        patient_id,
        clinic_id,
        hours,
    )
    .fetch_one(conn)
    .await
}

/// A confirmation to ask for; `ip` as text (the column is `inet`).
pub struct NewConfirmation<'a> {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub clinic_id: Option<Uuid>,
    pub to_network: bool,
    pub category: &'a str,
    pub wording_version: &'a str,
    pub ip: Option<String>,
    pub user_agent: Option<&'a str>,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert_confirmation(
    conn: &mut PgConnection,
    new: &NewConfirmation<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO consent_confirmations
            (id, patient_id, clinic_id, to_network, category, wording_version, ip, user_agent, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::text::inet, $8, $9)",
        new.id,
        new.patient_id,
        new.clinic_id,
        new.to_network,
        new.category,
        new.wording_version,
        new.ip.as_deref(),
        new.user_agent,
        new.expires_at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The patient whose random handle an unsubscribe link carries.
pub async fn patient_by_unsubscribe_ref(
    conn: &mut PgConnection,
    unsubscribe_ref: Uuid,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT id FROM patients WHERE unsubscribe_ref = $1",
        unsubscribe_ref
    )
    .fetch_optional(conn)
    .await
}

pub async fn clinic_exists(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM clinics WHERE id = $1) AS "exists!""#,
        id
    )
    .fetch_one(conn)
    .await
}

/// The clinic's IANA zone; none for a network form (no clinic) or an unknown clinic.
pub async fn clinic_time_zone(
    conn: &mut PgConnection,
    clinic_id: Option<Uuid>,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("SELECT time_zone FROM clinics WHERE id = $1", clinic_id)
        .fetch_optional(conn)
        .await
}

/// How a clinic is named to the person.
pub struct ClinicContact {
    pub name: String,
    pub phone: String,
}

pub async fn clinic_contact(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<ClinicContact>, sqlx::Error> {
    sqlx::query_as!(
        ClinicContact,
        "SELECT name, phone FROM clinics WHERE id = $1",
        id
    )
    .fetch_optional(conn)
    .await
}
