//! The double opt-in for `service_updates`, whichever door shows it: what a confirmation link
//! stands for, and confirming it. The link comes in a `consent_confirmation` email and names a
//! pending consent; confirming enters the grant in the ledger (source `email_confirmation`) for
//! exactly the senders the form's words named. A link works for 7 days; using it again changes
//! nothing. A link that is not valid (tampered, unknown, expired) is `ApiError::NotFound`.
//!
//! The page speaks the language asked for (`?lang=`), else the patient's (`patients::store::reader_locale`:
//! theirs, else the form clinic's default, else English); the view says which it decided.

use crate::consent::ledger::{self, Evidence};
use crate::consent::store::{self, PendingConfirmation};
use crate::consent::{senders, tokens};
use crate::domain::client::ClientInfo;
use crate::domain::consent::{ConsentCategory, ConsentSource, Sender};
use crate::domain::locale::Locale;
use crate::error::ApiError;
use crate::patients::store::reader_locale;
use crate::state::AppState;
use chrono::Utc;
use sqlx::PgConnection;
use uuid::Uuid;

/// What a confirmation link stands for now.
pub struct ConfirmationView {
    /// The language the page speaks.
    pub locale: Locale,
    /// Whom the consent goes to, as the form's words named them ("Clinic A and Network B").
    pub senders: String,
    /// Whether the grant is in the ledger.
    pub confirmed: bool,
}

/// The pending consent's id the token names, when its signature holds.
fn confirmation_id(state: &AppState, token: &str) -> Result<Uuid, ApiError> {
    let keys = state.settings.signing_keys();
    let key_refs: Vec<&[u8]> = keys.iter().map(Vec::as_slice).collect();
    tokens::verify_confirmation(&key_refs, token).map_err(|_| ApiError::NotFound)
}

/// A confirmed link keeps answering "confirmed"; an unconfirmed one dies at its expiry.
fn still_valid(row: Option<PendingConfirmation>) -> Result<PendingConfirmation, ApiError> {
    row.filter(|row| row.confirmed_at.is_some() || row.expires_at > Utc::now())
        .ok_or(ApiError::NotFound)
}

async fn view(
    conn: &mut PgConnection,
    state: &AppState,
    row: &PendingConfirmation,
    confirmed: bool,
    requested: Option<Locale>,
) -> Result<ConfirmationView, ApiError> {
    let locale = match requested {
        Some(locale) => locale,
        None => reader_locale(conn, row.patient_id, row.clinic_id).await?,
    };
    let senders = senders::form_senders_text(
        conn,
        row.clinic_id,
        row.to_network,
        state.settings.network_name.as_deref(),
        locale,
    )
    .await?;
    Ok(ConfirmationView {
        locale,
        senders,
        confirmed,
    })
}

/// What the link stands for, in `requested` or else the patient's language; changes nothing
/// (mail scanners fetch links).
pub async fn show(
    state: &AppState,
    token: &str,
    requested: Option<Locale>,
) -> Result<ConfirmationView, ApiError> {
    let id = confirmation_id(state, token)?;
    let mut conn = state.db.acquire().await?;
    let row = still_valid(store::confirmation(&mut conn, id).await?)?;
    let confirmed = row.confirmed_at.is_some();
    view(&mut conn, state, &row, confirmed, requested).await
}

/// Enters the pending grant in the ledger, once however often the link is used; the answer in
/// `requested` or else the patient's language.
pub async fn confirm(
    state: &AppState,
    token: &str,
    requested: Option<Locale>,
    client: &ClientInfo,
) -> Result<ConfirmationView, ApiError> {
    let id = confirmation_id(state, token)?;
    let mut tx = crate::db::begin(&state.db).await?;
    let row = still_valid(store::lock_confirmation(&mut tx, id).await?)?;
    if row.confirmed_at.is_none() {
        let category = ConsentCategory::parse(&row.category).ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!(
                "pending consent {} has no category",
                row.id
            ))
        })?;
        let evidence = Evidence {
            source: ConsentSource::EmailConfirmation,
            wording_version: &row.wording_version,
            client,
            staff_id: None,
            note: None,
        };
        for sender in Sender::of_form(row.clinic_id, row.to_network) {
            ledger::record(
                &mut tx,
                row.patient_id,
                sender,
                &[(category, true)],
                &evidence,
            )
            .await?;
        }
        store::mark_confirmed(&mut tx, row.id).await?;
        tracing::info!(patient_id = %row.patient_id, "consent confirmed from an email link");
    }
    let confirmed = view(&mut tx, state, &row, true, requested).await?;
    tx.commit().await?;
    Ok(confirmed)
}
