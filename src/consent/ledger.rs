//! The append-only consent ledger. Every grant and withdrawal is a row naming the patient, the
//! sender it was given to (a clinic, or the network: NULL), the category and the evidence; the state
//! in force for a (patient, sender, category) is its newest row (ids are UUIDv7, so id order is
//! insertion order). Nothing here decides who may change what: the callers do (forms only grant,
//! links and staff may withdraw).

use crate::domain::client::ClientInfo;
use crate::domain::consent::{ConsentCategory, ConsentSource, Sender};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use std::collections::HashSet;
use utoipa::ToSchema;
use uuid::Uuid;

/// What a change is recorded with, besides the change itself.
pub struct Evidence<'a> {
    pub source: ConsentSource,
    /// A wording the server published (or the page's own), never a client's text.
    pub wording_version: &'a str,
    pub client: &'a ClientInfo,
    /// The staff member who entered it (source `staff` only).
    pub staff_id: Option<Uuid>,
    pub note: Option<&'a str>,
}

/// Appends one row per (category, granted) pair for `sender`, in the given order; returns the ids.
pub async fn record(
    conn: &mut PgConnection,
    patient_id: Uuid,
    sender: Sender,
    changes: &[(ConsentCategory, bool)],
    evidence: &Evidence<'_>,
) -> Result<Vec<Uuid>, sqlx::Error> {
    if changes.is_empty() {
        return Ok(Vec::new());
    }
    let (categories, granted): (Vec<String>, Vec<bool>) = changes
        .iter()
        .map(|(category, granted)| (category.as_str().to_owned(), *granted))
        .unzip();
    // One id per row, generated here so their order is the order of the changes.
    let ids: Vec<Uuid> = categories.iter().map(|_| Uuid::now_v7()).collect();
    sqlx::query!(
        "INSERT INTO consent_events
            (id, patient_id, clinic_id, category, granted, source, wording_version, ip, user_agent, staff_id, note)
         SELECT id, $2, $3, category, granted, $6, $7, $8::text::inet, $9, $10, $11
           FROM unnest($1::uuid[], $4::text[], $5::bool[]) AS t(id, category, granted)",
        &ids[..],
        patient_id,
        sender.clinic_id(),
        &categories[..],
        &granted[..],
        evidence.source.as_str(),
        evidence.wording_version,
        evidence.client.ip.map(|ip| ip.to_string()),
        evidence.client.user_agent.as_deref(),
        evidence.staff_id,
        evidence.note,
    )
    .execute(conn)
    .await?;
    Ok(ids)
}

/// One ledger row as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentEventView {
    pub id: Uuid,
    /// The clinic the consent was given to; null: the network that runs the site.
    pub clinic_id: Option<Uuid>,
    #[schema(value_type = ConsentCategory)]
    pub category: String,
    pub granted: bool,
    /// `web_form`, `email_confirmation`, `unsubscribe_link`, `one_click`, `manage_link` or `staff`.
    pub source: String,
    pub wording_version: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The staff member who recorded it (source `staff`).
    pub staff_id: Option<Uuid>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl ConsentEventView {
    /// The row without where it came from (IP, user agent), for staff who need only what was decided.
    pub fn without_client_details(self) -> Self {
        ConsentEventView {
            ip: None,
            user_agent: None,
            ..self
        }
    }
}

/// The state in force for one category at one sender; `granted` is false when the person never said yes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentState {
    /// The sender: a clinic, or null for the network that runs the site.
    pub clinic_id: Option<Uuid>,
    #[schema(value_type = ConsentCategory)]
    pub category: String,
    pub granted: bool,
    /// When the state in force was recorded; null when the person was never asked.
    pub since: Option<DateTime<Utc>>,
    pub source: Option<String>,
}

/// Which senders' rows a reader may see: all (admins), or only those of some clinics.
#[derive(Debug, Clone, Copy)]
pub enum Visible<'a> {
    All,
    Clinics(&'a [Uuid]),
}

/// The history the reader may see, newest first.
pub async fn history(
    conn: &mut PgConnection,
    patient_id: Uuid,
    visible: Visible<'_>,
) -> Result<Vec<ConsentEventView>, sqlx::Error> {
    let (all, clinics) = match visible {
        Visible::All => (true, &[][..]),
        Visible::Clinics(clinics) => (false, clinics),
    };
    sqlx::query_as!(
        ConsentEventView,
        "SELECT id, clinic_id, category, granted, source, wording_version, host(ip) AS ip,
                user_agent, staff_id, note, created_at
           FROM consent_events
          WHERE patient_id = $1 AND ($2 OR clinic_id = ANY($3)) ORDER BY id DESC",
        patient_id,
        all,
        clinics,
    )
    .fetch_all(conn)
    .await
}

/// The state in force for every category at each of `senders`, in the given order of senders and
/// a fixed order of categories.
pub async fn current(
    conn: &mut PgConnection,
    patient_id: Uuid,
    senders: &[Sender],
) -> Result<Vec<ConsentState>, sqlx::Error> {
    let latest = sqlx::query_as!(
        ConsentEventView,
        "SELECT DISTINCT ON (clinic_id, category)
                id, clinic_id, category, granted, source, wording_version, host(ip) AS ip,
                user_agent, staff_id, note, created_at
           FROM consent_events
          WHERE patient_id = $1 ORDER BY clinic_id, category, id DESC",
        patient_id,
    )
    .fetch_all(conn)
    .await?;
    Ok(senders
        .iter()
        .flat_map(|sender| {
            let latest = &latest;
            ConsentCategory::ALL.into_iter().map(move |category| {
                let newest = latest.iter().find(|event| {
                    event.clinic_id == sender.clinic_id() && event.category == category.as_str()
                });
                ConsentState {
                    clinic_id: sender.clinic_id(),
                    category: category.as_str().to_owned(),
                    granted: newest.is_some_and(|event| event.granted),
                    since: newest.map(|event| event.created_at),
                    source: newest.map(|event| event.source.clone()),
                }
            })
        })
        .collect())
}

/// The categories granted now at `sender`.
pub async fn granted_at(
    conn: &mut PgConnection,
    patient_id: Uuid,
    sender: Sender,
) -> Result<HashSet<ConsentCategory>, sqlx::Error> {
    Ok(current(conn, patient_id, &[sender])
        .await?
        .into_iter()
        .filter(|state| state.granted)
        .filter_map(|state| ConsentCategory::parse(&state.category))
        .collect())
}

/// Whether `category` is granted now at `sender` (no row means no).
pub async fn is_granted(
    conn: &mut PgConnection,
    patient_id: Uuid,
    sender: Sender,
    category: ConsentCategory,
) -> Result<bool, sqlx::Error> {
    let granted = sqlx::query_scalar!(
        "SELECT granted FROM consent_events
          WHERE patient_id = $1 AND category = $2 AND clinic_id IS NOT DISTINCT FROM $3
          ORDER BY id DESC LIMIT 1",
        patient_id,
        category.as_str(),
        sender.clinic_id(),
    )
    .fetch_optional(conn)
    .await?;
    Ok(granted.unwrap_or(false))
}

/// Every sender the person has dealt with: the network, and each clinic they have a callback,
/// booking, plan or consent row at (for "unsubscribe from every sender").
pub async fn senders_of(
    conn: &mut PgConnection,
    patient_id: Uuid,
) -> Result<Vec<Sender>, sqlx::Error> {
    let clinics = sqlx::query_scalar!(
        r#"SELECT clinic_id AS "clinic_id!" FROM callback_requests WHERE patient_id = $1 AND clinic_id IS NOT NULL
         UNION SELECT clinic_id FROM bookings WHERE patient_id = $1
         UNION SELECT clinic_id FROM exercise_plans WHERE patient_id = $1 AND clinic_id IS NOT NULL
         UNION SELECT clinic_id FROM care_plans WHERE patient_id = $1 AND clinic_id IS NOT NULL
         UNION SELECT clinic_id FROM consent_events WHERE patient_id = $1 AND clinic_id IS NOT NULL
         ORDER BY 1"#,
        patient_id,
    )
    .fetch_all(conn)
    .await?;
    Ok([Sender::Network]
        .into_iter()
        .chain(clinics.into_iter().map(Sender::Clinic))
        .collect())
}

/// Withdrawal takes effect at once: queued emails of the withdrawn categories from `sender` are
/// suppressed in the same transaction (the worker also re-checks right before sending).
pub async fn suppress_queued(
    conn: &mut PgConnection,
    patient_id: Uuid,
    sender: Sender,
    withdrawn: &[ConsentCategory],
) -> Result<u64, sqlx::Error> {
    if withdrawn.is_empty() {
        return Ok(0);
    }
    let categories: Vec<String> = withdrawn
        .iter()
        .map(|category| category.as_str().to_owned())
        .collect();
    let suppressed = sqlx::query!(
        "UPDATE email_outbox SET status = 'suppressed', last_error = 'consent withdrawn', lease_until = NULL
          WHERE patient_id = $1 AND category = ANY($2) AND status = 'queued'
            AND clinic_id IS NOT DISTINCT FROM $3",
        patient_id,
        &categories[..],
        sender.clinic_id(),
    )
    .execute(conn)
    .await?;
    Ok(suppressed.rows_affected())
}

/// Serialises consent changes for one patient, so two clicks cannot interleave reads and writes.
pub async fn lock_patient(conn: &mut PgConnection, patient_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT 1 AS locked FROM patients WHERE id = $1 FOR UPDATE",
        patient_id
    )
    .fetch_optional(conn)
    .await?;
    Ok(())
}

/// Moves `sender`'s state to exactly `wanted`: one row per category that changes, and queued
/// emails of a withdrawn category suppressed. Returns the changes made.
pub async fn set_state(
    conn: &mut PgConnection,
    patient_id: Uuid,
    sender: Sender,
    wanted: &HashSet<ConsentCategory>,
    evidence: &Evidence<'_>,
) -> Result<Vec<(ConsentCategory, bool)>, sqlx::Error> {
    let before = granted_at(conn, patient_id, sender).await?;
    let changes: Vec<(ConsentCategory, bool)> = ConsentCategory::ALL
        .into_iter()
        .filter(|category| before.contains(category) != wanted.contains(category))
        .map(|category| (category, wanted.contains(&category)))
        .collect();
    record(conn, patient_id, sender, &changes, evidence).await?;
    let withdrawn: Vec<ConsentCategory> = changes
        .iter()
        .filter(|(_, granted)| !granted)
        .map(|(category, _)| *category)
        .collect();
    suppress_queued(conn, patient_id, sender, &withdrawn).await?;
    Ok(changes)
}
