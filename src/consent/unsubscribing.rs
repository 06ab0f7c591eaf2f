//! The unsubscribe link in every email, whichever door shows it: the person's choices at the
//! email's sender (the clinic that sent it, or the network), and changing them. A link from before
//! consent was kept per sender acts at every sender. Each change is a consent-ledger row, and
//! queued emails of a withdrawn category from that sender are suppressed at once. A link that is
//! not valid (tampered, expired, naming nobody) is `ApiError::NotFound`.
//!
//! The page speaks the language asked for (`?lang=`), else the patient's (`patients::store::reader_locale`:
//! theirs, else the sender clinic's default, else English); the views say which it decided.

use crate::consent::ledger::{self, Evidence};
use crate::consent::senders::{self, SenderInfo};
use crate::consent::{store, tokens};
use crate::domain::client::ClientInfo;
use crate::domain::consent::{ConsentCategory, ConsentSource, Sender};
use crate::domain::locale::Locale;
use crate::error::ApiError;
use crate::patients::store::reader_locale;
use crate::state::AppState;
use chrono::Utc;
use sqlx::PgConnection;
use std::collections::HashSet;
use uuid::Uuid;

/// Recorded with each change made from a link or the page.
pub const PAGE_WORDING_VERSION: &str = "2026-11-preferences-page-v1";

/// The person's choices as the link's page shows them.
pub struct Preferences {
    /// The language the page speaks.
    pub locale: Locale,
    /// Who the page names: the clinic that sent the email (or the network).
    pub sender: SenderInfo,
    /// The categories the link is about ("unsubscribe from this").
    pub link_categories: Vec<ConsentCategory>,
    /// What is granted now at the link's sender (at any sender, for a legacy link).
    pub granted: HashSet<ConsentCategory>,
}

/// What a link's POST asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum UnsubscribeRequest {
    /// RFC 8058 one-click: withdraw the link's categories.
    OneClick,
    /// The page's "unsubscribe from this" button.
    WithdrawThis,
    /// The page's "unsubscribe from everything" button (from this sender).
    WithdrawAll,
    /// The page's "unsubscribe from every sender" button: every clinic and the network.
    WithdrawEverywhere,
    /// The page's checkboxes: exactly these categories granted.
    Keep(HashSet<ConsentCategory>),
}

/// What is in force after a change.
pub struct Applied {
    /// The language the page speaks.
    pub locale: Locale,
    pub sender: SenderInfo,
    /// The person left every sender, not only the link's.
    pub everywhere: bool,
    /// What is granted now at the senders the change applied to.
    pub granted: HashSet<ConsentCategory>,
}

/// The patient behind a link and the sender whose emails it is about.
struct Subject {
    patient_id: Uuid,
    categories: Vec<ConsentCategory>,
    /// `None`: a link from before consent was kept per sender; it acts at every sender.
    sender: Option<Sender>,
    sender_info: SenderInfo,
    /// The language of the page: the one asked for, else the patient's.
    locale: Locale,
}

async fn subject(
    conn: &mut PgConnection,
    state: &AppState,
    token: &str,
    requested: Option<Locale>,
) -> Result<Subject, ApiError> {
    let keys = state.settings.signing_keys();
    let key_refs: Vec<&[u8]> = keys.iter().map(Vec::as_slice).collect();
    let claims = tokens::verify(&key_refs, token, Utc::now()).map_err(|_| ApiError::NotFound)?;
    let patient_id = store::patient_by_unsubscribe_ref(conn, claims.patient_ref)
        .await?
        .ok_or(ApiError::NotFound)?;
    let sender = claims.sender.unwrap_or(Sender::Network);
    let locale = match requested {
        Some(locale) => locale,
        None => reader_locale(conn, patient_id, sender.clinic_id()).await?,
    };
    let sender_info =
        senders::describe(conn, sender, state.settings.network_name.as_deref(), locale).await?;
    Ok(Subject {
        patient_id,
        categories: claims.categories,
        sender: claims.sender,
        sender_info,
        locale,
    })
}

/// The senders the link's choices apply to: its own, or every one for a legacy link.
async fn targets(conn: &mut PgConnection, subject: &Subject) -> Result<Vec<Sender>, sqlx::Error> {
    match subject.sender {
        Some(sender) => Ok(vec![sender]),
        None => ledger::senders_of(conn, subject.patient_id).await,
    }
}

/// The categories granted now at any of `senders`.
async fn granted_at_any(
    conn: &mut PgConnection,
    patient_id: Uuid,
    senders: &[Sender],
) -> Result<HashSet<ConsentCategory>, sqlx::Error> {
    let mut granted = HashSet::new();
    for sender in senders {
        granted.extend(ledger::granted_at(conn, patient_id, *sender).await?);
    }
    Ok(granted)
}

/// The link's page, in `requested` or else the patient's language; changes nothing (mail scanners
/// prefetch links).
pub async fn preferences(
    state: &AppState,
    token: &str,
    requested: Option<Locale>,
) -> Result<Preferences, ApiError> {
    let mut conn = state.db.acquire().await?;
    let subject = subject(&mut conn, state, token, requested).await?;
    let targets = targets(&mut conn, &subject).await?;
    let granted = granted_at_any(&mut conn, subject.patient_id, &targets).await?;
    Ok(Preferences {
        locale: subject.locale,
        sender: subject.sender_info,
        link_categories: subject.categories,
        granted,
    })
}

/// Applies what the link's POST asks for, at the link's sender (every sender for
/// `WithdrawEverywhere` and for a legacy link); the answer in `requested` or else the patient's
/// language.
pub async fn apply(
    state: &AppState,
    token: &str,
    request: UnsubscribeRequest,
    requested: Option<Locale>,
    client: &ClientInfo,
) -> Result<Applied, ApiError> {
    let mut tx = crate::db::begin(&state.db).await?;
    let subject = subject(&mut tx, state, token, requested).await?;
    // Serialise changes for one patient so two clicks cannot interleave their reads and writes.
    ledger::lock_patient(&mut tx, subject.patient_id).await?;
    let source = match request {
        UnsubscribeRequest::OneClick => ConsentSource::OneClick,
        _ => ConsentSource::UnsubscribeLink,
    };
    let everywhere = request == UnsubscribeRequest::WithdrawEverywhere;
    let targets = if everywhere {
        ledger::senders_of(&mut tx, subject.patient_id).await?
    } else {
        targets(&mut tx, &subject).await?
    };
    let evidence = Evidence {
        source,
        wording_version: PAGE_WORDING_VERSION,
        client,
        staff_id: None,
        note: None,
    };
    let mut changed = 0;
    for sender in &targets {
        let before = ledger::granted_at(&mut tx, subject.patient_id, *sender).await?;
        let wanted = match &request {
            UnsubscribeRequest::OneClick | UnsubscribeRequest::WithdrawThis => {
                without(&before, &subject.categories)
            }
            UnsubscribeRequest::WithdrawAll | UnsubscribeRequest::WithdrawEverywhere => {
                HashSet::new()
            }
            UnsubscribeRequest::Keep(kept) => kept.clone(),
        };
        changed += ledger::set_state(&mut tx, subject.patient_id, *sender, &wanted, &evidence)
            .await?
            .len();
    }
    let granted = granted_at_any(&mut tx, subject.patient_id, &targets).await?;
    tx.commit().await?;
    if changed > 0 {
        tracing::info!(patient_id = %subject.patient_id, changes = changed, source = source.as_str(), "consent changed from an email link");
    }
    Ok(Applied {
        locale: subject.locale,
        sender: subject.sender_info,
        everywhere,
        granted,
    })
}

fn without(
    granted: &HashSet<ConsentCategory>,
    removed: &[ConsentCategory],
) -> HashSet<ConsentCategory> {
    granted
        .iter()
        .copied()
        .filter(|category| !removed.contains(category))
        .collect()
}
